using Datakeen.Portal.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// An island of the API & Docs tab: it receives the workspace slug (serialisable), opens the tab's shared state
// (ApiDocsTabState: one load and one change-feed subscription per tab) and renders from it. The state is opened
// before the first render, so a circuit's first render shows what the prerendered page showed (no skeleton flash).
// An island is also the error boundary of what it renders: an exception in a key row replaces that island's content
// with a message and a request id (PartErrorMessage), and the other islands keep working. One component per island
// instead of an island plus a boundary: every component lives in every open tab's circuit (docs/benchmarks.md).
public abstract class TabIsland : ErrorBoundaryBase, IDisposable
{
    [Inject] protected ApiDocsTabState State { get; set; } = default!;

    [Inject] private ILogger<TabIsland> Logger { get; set; } = default!;

    [Parameter, EditorRequired] public string Slug { get; set; } = "";

    private bool _opened;

    // What the island shows, for the message of a failure: "The test secret key row".
    protected abstract string Part { get; }

    // The request id of the failure shown (CurrentException), to quote to support.
    protected string RequestId { get; private set; } = "";

    public override async Task SetParametersAsync(ParameterView parameters)
    {
        parameters.SetParameterProperties(this);
        if (!_opened)
        {
            _opened = true;
            State.Changed += OnStateChanged;
            await State.OpenAsync(Slug, RendererInfo.IsInteractive, work => InvokeAsync(work));
        }
        await base.SetParametersAsync(ParameterView.Empty);
    }

    protected override Task OnErrorAsync(Exception exception)
    {
        RequestId = PartErrorMessage.Report(Logger, exception, Part);
        return Task.CompletedTask;
    }

    protected virtual void OnStateChanged() => StateHasChanged();

    public virtual void Dispose()
    {
        State.Changed -= OnStateChanged;
        GC.SuppressFinalize(this);
    }
}
