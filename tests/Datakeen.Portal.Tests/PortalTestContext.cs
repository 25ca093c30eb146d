using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace Datakeen.Portal.Tests;

// The one shared bUnit setup: MudBlazor services, loose JS interop, no transitions.
public abstract class PortalTestContext : BunitContext
{
    protected PortalTestContext()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices(options =>
        {
            options.SnackbarConfiguration.ShowTransitionDuration = 0;
            options.SnackbarConfiguration.HideTransitionDuration = 0;
            options.PopoverOptions.CheckForPopoverProvider = false;
        });
        Services.AddSingleton(TimeProvider.System);
        // Components that persist state across a circuit's pause and resume (KeyRow's rotation dialog) need it.
        PersistentState = AddBunitPersistentComponentState();
    }

    // The circuit's persisted state: what a resumed circuit brings back, and what a pause writes (TriggerOnPersisting).
    protected Bunit.TestDoubles.BunitPersistentComponentState PersistentState { get; }
}
