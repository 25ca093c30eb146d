using Microsoft.AspNetCore.Components;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// An island of the API & Docs tab: it receives the workspace slug (serialisable), opens the tab's shared state
// (ApiDocsTabState: one load and one change-feed subscription per tab) and renders from it. The state is opened
// before the first render, so a circuit's first render shows what the prerendered page showed (no skeleton flash).
public abstract class TabIsland : ComponentBase, IDisposable
{
    [Inject] protected ApiDocsTabState State { get; set; } = default!;

    [Inject] private Datakeen.Portal.Components.Layout.IslandsRendered Islands { get; set; } = default!;

    [Parameter, EditorRequired] public string Slug { get; set; } = "";

    private bool _opened;

    public override async Task SetParametersAsync(ParameterView parameters)
    {
        parameters.SetParameterProperties(this);
        if (!_opened)
        {
            _opened = true;
            if (RendererInfo.IsInteractive)
            {
                Islands.Starting();
            }
            State.Changed += OnStateChanged;
            await State.OpenAsync(Slug, RendererInfo.IsInteractive, work => InvokeAsync(work));
        }
        await base.SetParametersAsync(ParameterView.Empty);
    }

    // The island's first render in its circuit is in the browser: what waits for every island of the page may go on
    // (IslandsRendered: a resumed circuit's reopened rotation dialog).
    protected override void OnAfterRender(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            Islands.Rendered();
        }
    }

    protected virtual void OnStateChanged() => StateHasChanged();

    public virtual void Dispose()
    {
        State.Changed -= OnStateChanged;
        GC.SuppressFinalize(this);
    }
}
