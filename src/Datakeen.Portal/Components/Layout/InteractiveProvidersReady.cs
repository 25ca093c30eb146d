namespace Datakeen.Portal.Components.Layout;

// Whether MudBlazor's dialog, snackbar and popover providers of this circuit are there (InteractiveProviders, an
// island of its own). MudBlazor's DialogService shows a dialog only to a provider already subscribed: a dialog asked
// for before that is never rendered. So an island that opens a dialog by itself as its circuit starts (KeyRow
// reopening a rotation dialog after a rolling restart) waits for this first. Scoped: one per circuit.
public sealed class InteractiveProvidersReady
{
    private readonly TaskCompletionSource _rendered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Completes once the providers of this circuit have rendered (their subscriptions are made while rendering).
    public Task Rendered => _rendered.Task;

    internal void MarkRendered() => _rendered.TrySetResult();
}
