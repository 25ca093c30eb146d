using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Infrastructure;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// The API & Docs tab: loads the workspace's keys and test credits, keeps them live through the
// change feed (another tab, another admin or another instance rotating a key or consuming credits),
// and hosts the environment cards, tips and code samples.
public sealed partial class ApiDocsTab : IDisposable
{
    public const int HistoryLength = 20;

    private IReadOnlyList<ApiKeyView>? _keys;
    private CreditSummary? _credits;
    private IReadOnlyList<LedgerLine>? _history;
    private bool _loadFailed;
    private Guid _loadedWorkspaceId;
    private int _keysVersion;
    private int _creditsVersion;
    private readonly CancellationTokenSource _disposed = new();

    [Inject] private IApiKeyManager KeyManager { get; set; } = default!;
    [Inject] private ICreditQueries CreditQueries { get; set; } = default!;
    [Inject] private ChangeFeed Feed { get; set; } = default!;
    [Inject] private IOptions<BaseUrlOptions> BaseUrls { get; set; } = default!;
    [Inject] private ILogger<ApiDocsTab> Logger { get; set; } = default!;

    [Parameter, EditorRequired] public Guid WorkspaceId { get; set; }
    [Parameter] public string? WorkspaceName { get; set; }
    [Parameter] public bool IsAdmin { get; set; }
    [Parameter, EditorRequired] public Actor Actor { get; set; } = default!;

    protected override void OnInitialized()
    {
        Feed.Notified += OnNotified;
        Feed.Reconnected += OnReconnected;
    }

    protected override async Task OnParametersSetAsync()
    {
        // The page may be reused for another workspace (navigation between /w/{slug}/api routes).
        if (_loadedWorkspaceId != WorkspaceId)
        {
            _loadedWorkspaceId = WorkspaceId;
            _keys = null;
            _credits = null;
            _history = null;
            await LoadAllAsync();
        }
    }

    private async Task LoadAllAsync()
    {
        _loadFailed = false;
        await ReloadKeysAsync();
        if (!_loadFailed)
        {
            await ReloadCreditsAsync();
        }
    }

    private async Task RetryAsync()
    {
        _keys = null;
        _credits = null;
        _history = null;
        await LoadAllAsync();
    }

    private async Task ReloadKeysAsync()
    {
        var version = ++_keysVersion;
        try
        {
            var keys = await KeyManager.ListAsync(WorkspaceId, Actor, _disposed.Token);
            if (version == _keysVersion)
            {
                _keys = keys;
            }
        }
        catch (Exception ex)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            Logger.LogWarning(ex, "Loading the API keys of workspace {WorkspaceId} failed", WorkspaceId);
            _loadFailed = true;
        }
    }

    private async Task ReloadCreditsAsync()
    {
        var version = ++_creditsVersion;
        try
        {
            var summary = await CreditQueries.GetSummaryAsync(WorkspaceId, KeyEnvironment.Test, _disposed.Token);
            var history = await CreditQueries.GetHistoryAsync(WorkspaceId, KeyEnvironment.Test, HistoryLength, _disposed.Token);
            if (version == _creditsVersion)
            {
                _credits = summary;
                _history = history;
            }
        }
        catch (Exception ex)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            Logger.LogWarning(ex, "Loading the test credits of workspace {WorkspaceId} failed", WorkspaceId);
            _loadFailed = true;
        }
    }

    // Raised on the listener's thread: hop onto the renderer's before touching state.
    private void OnNotified(string channel, string payload)
    {
        if (ChangePayload.WorkspaceOf(payload) != WorkspaceId)
        {
            return;
        }

        Func<Task>? reload = channel switch
        {
            ChangeFeed.KeyChannel => ReloadKeysAsync,
            ChangeFeed.CreditChannel => ReloadCreditsAsync,
            _ => null,
        };
        if (reload is not null)
        {
            _ = RefreshAsync(reload);
        }
    }

    // Notifications may have been missed while the listener was disconnected: reload everything.
    private void OnReconnected() => _ = RefreshAsync(LoadAllAsync);

    private async Task RefreshAsync(Func<Task> reload)
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await InvokeAsync(async () =>
            {
                await reload();
                StateHasChanged();
            });
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            // The circuit went away between the notification and the reload.
        }
    }

    public void Dispose()
    {
        Feed.Notified -= OnNotified;
        Feed.Reconnected -= OnReconnected;
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
