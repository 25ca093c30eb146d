using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Workspaces;
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
    private bool _accessLost;
    private WorkspaceContext? _loadedFor;
    private int _keysVersion;
    private int _creditsVersion;
    private readonly CancellationTokenSource _disposed = new();

    [Inject] private IApiKeyManager KeyManager { get; set; } = default!;
    [Inject] private ICreditQueries CreditQueries { get; set; } = default!;
    [Inject] private ChangeFeed Feed { get; set; } = default!;
    [Inject] private IOptions<BaseUrlOptions> BaseUrls { get; set; } = default!;
    [Inject] private ILogger<ApiDocsTab> Logger { get; set; } = default!;

    // Cascaded by WorkspaceScope: the workspace of the page, the caller and their role.
    [CascadingParameter] public WorkspaceContext Workspace { get; set; } = default!;

    private Guid WorkspaceId => Workspace.Id;

    protected override void OnInitialized()
    {
        Feed.Notified += OnNotified;
        Feed.Reconnected += OnReconnected;
    }

    protected override async Task OnParametersSetAsync()
    {
        // The page may be reused for another workspace (navigation between /w/{slug}/api routes), and the
        // key views carry what the caller's role allows: load again when either changes.
        if (_loadedFor?.Id != Workspace.Id || _loadedFor.Role != Workspace.Role)
        {
            _loadedFor = Workspace;
            _keys = null;
            _credits = null;
            _history = null;
            await LoadAllAsync();
        }
    }

    private async Task LoadAllAsync()
    {
        _loadFailed = false;
        _accessLost = false;
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
            var keys = await KeyManager.ListAsync(WorkspaceId, Workspace.Actor, _disposed.Token);
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
            // Null when the caller is no longer a member: stop showing the workspace's ledger.
            var summary = await CreditQueries.GetSummaryAsync(WorkspaceId, Workspace.Actor, KeyEnvironment.Test, _disposed.Token);
            var history = summary is null
                ? null
                : await CreditQueries.GetHistoryAsync(WorkspaceId, Workspace.Actor, KeyEnvironment.Test, HistoryLength, _disposed.Token);
            if (version == _creditsVersion)
            {
                _accessLost = summary is null || history is null;
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
