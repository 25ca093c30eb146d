using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Usage;
using Datakeen.Portal.Workspaces;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// The API & Docs tab: loads the workspace's keys and test credits, keeps them live through the
// change feed (another tab, another admin or another instance rotating a key or consuming credits),
// and hosts the environment cards, tips and code samples.
public sealed partial class ApiDocsTab : IDisposable
{
    // Change notifications are hints, not records: one may be lost (a crash between a debit's commit and its
    // coalesced NOTIFY, a listener reconnecting). The meter therefore also reconciles with the ledger: every
    // half interval it asks for a view at most half an interval old (shared by the workspace's tabs, see
    // CreditViews), so it is never stale for longer than this (docs/benchmarks.md, fan-out).
    public static readonly TimeSpan ReconcileInterval = TimeSpan.FromSeconds(30);

    // How old a shared view may be. A change notification empties the workspace's shared view before any tab
    // hears of it (ChangeFeed.Invalidating), so whatever a tab then gets was loaded after the change; the age
    // only matters when a notification was lost.
    private static readonly TimeSpan MaxViewAge = ReconcileInterval / 2;

    private IReadOnlyList<ApiKeyView>? _keys;
    private IReadOnlyDictionary<Guid, KeyUsageSeries>? _usage;
    private DateOnly _usageFirstDay;

    // The old key of a rotation this tab applied itself: the change feed's notification of it needs no reload.
    private Guid? _appliedRotation;
    private IDisposable? _subscription;

    // The Test card's meter and history render from this and re-render alone when it changes: a debit does not
    // re-render the tab, its cards and key rows on every open tab (docs/benchmarks.md, fan-out).
    private readonly TestCreditsState _credits = new();
    private bool _loadFailed;
    private bool _accessLost;
    private WorkspaceContext? _loadedFor;
    private int _keysVersion;
    private int _creditsVersion;
    private readonly CancellationTokenSource _disposed = new();
    private ITimer? _reconcile;

    [Inject] private IApiKeyManager KeyManager { get; set; } = default!;
    [Inject] private ICreditQueries CreditQueries { get; set; } = default!;
    [Inject] private IKeyUsageQueries UsageQueries { get; set; } = default!;
    [Inject] private ChangeFeed Feed { get; set; } = default!;
    [Inject] private IOptions<BaseUrlOptions> BaseUrls { get; set; } = default!;
    [Inject] private ILogger<ApiDocsTab> Logger { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;

    // Cascaded by WorkspaceScope: the workspace of the page, the caller and their role.
    [CascadingParameter] public WorkspaceContext Workspace { get; set; } = default!;

    private Guid WorkspaceId => Workspace.Id;

    protected override void OnInitialized()
    {
        Feed.Reconnected += OnReconnected;
        _reconcile = Time.CreateTimer(_ => OnReconcile(), null, ReconcileInterval / 2, ReconcileInterval / 2);
    }

    // Navigating from this page to a page outside any workspace cascades a null context to the old
    // page's components in the same render batch that removes them: they keep what they show.
    protected override bool ShouldRender() => Workspace is not null;

    protected override async Task OnParametersSetAsync()
    {
        if (Workspace is null)
        {
            return;
        }

        // The page may be reused for another workspace (navigation between /w/{slug}/api routes), and the
        // key views carry what the caller's role allows: load again when either changes.
        if (_loadedFor?.Id != Workspace.Id || _loadedFor.Role != Workspace.Role)
        {
            if (_loadedFor?.Id != Workspace.Id)
            {
                // Only this workspace's changes reach the tab.
                _subscription?.Dispose();
                _subscription = Feed.Subscribe(Workspace.Id, OnNotified);
            }

            _loadedFor = Workspace;
            _keys = null;
            _credits.Set(null);
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
            await ReloadCreditsAsync(MaxViewAge);
        }
    }

    private async Task RetryAsync()
    {
        _keys = null;
        _credits.Set(null);
        await LoadAllAsync();
    }

    private async Task ReloadKeysAsync()
    {
        var version = ++_keysVersion;
        try
        {
            // The keys (with their exposure) and their usage, side by side, each on its own DbContext.
            var keys = KeyManager.ListAsync(WorkspaceId, Workspace.Actor, _disposed.Token);
            var usage = UsageQueries.GetLastDaysAsync(WorkspaceId, Workspace.Actor, KeyUsageQueries.ChartDays, _disposed.Token);
            var (loaded, series) = (await keys, await usage);
            if (version == _keysVersion)
            {
                _keys = loaded;
                _usage = series;
                _usageFirstDay = UsageQueries.FirstDay(KeyUsageQueries.ChartDays);
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

    // True when the tab itself must render again (access lost, a failure); the meter re-renders by itself.
    // quiet: a failure keeps what is shown (the reconcile tries again at its next interval).
    private async Task<bool> ReloadCreditsAsync(TimeSpan maxAge, bool quiet = false)
    {
        var version = ++_creditsVersion;
        var accessLost = _accessLost;
        var loadFailed = _loadFailed;
        try
        {
            // Null when the caller is no longer a member: stop showing the workspace's ledger.
            var view = await CreditQueries.GetViewAsync(WorkspaceId, Workspace.Actor, KeyEnvironment.Test, maxAge, _disposed.Token);
            if (version == _creditsVersion)
            {
                _accessLost = view is null;
                _credits.Set(view);
            }
        }
        catch (Exception ex)
        {
            if (_disposed.IsCancellationRequested)
            {
                return false;
            }

            if (quiet)
            {
                Logger.LogDebug(ex, "Reconciling the test credits of workspace {WorkspaceId} failed", WorkspaceId);
                return false;
            }

            Logger.LogWarning(ex, "Loading the test credits of workspace {WorkspaceId} failed", WorkspaceId);
            _loadFailed = true;
        }

        return _accessLost != accessLost || _loadFailed != loadFailed;
    }

    // The dialog's answer: a rotation replaces the old key's view and adds the new one, here, without a reload;
    // a stale or unknown key means the tab is out of date, so it reloads.
    private async Task ApplyRotationAsync(KeyRotationResult result)
    {
        if (result is { Outcome: KeyRotationOutcome.Rotated, NewKey: { } added, ReplacedKey: { } replaced } && _keys is not null)
        {
            var now = Time.GetUtcNow();
            var stillWorks = replaced.ExpiresAt is { } expires && expires > now;
            _keys = _keys.Where(k => k.Id != replaced.Id)
                .Concat(stillWorks ? [replaced, added] : [added])
                .OrderBy(k => k.Environment).ThenBy(k => k.Kind).ThenByDescending(k => k.CreatedAt)
                .ToList();
            _appliedRotation = replaced.Id;
            _keysVersion++;
            return;
        }

        await ReloadKeysAsync();
    }

    // Raised on the listener's thread for this workspace's changes: hop onto the renderer's before touching state.
    private void OnNotified(string channel, string payload)
    {
        if (channel == ChangeFeed.KeyChannel)
        {
            // The notification of this tab's own rotation: already applied.
            if (_appliedRotation is { } applied && payload == ChangePayload.For(WorkspaceId, applied.ToString("D")))
            {
                _appliedRotation = null;
                return;
            }

            _ = RefreshAsync(async () =>
            {
                await ReloadKeysAsync();
                return true;
            });
        }
        else if (channel == ChangeFeed.CreditChannel)
        {
            _ = RefreshAsync(() => ReloadCreditsAsync(MaxViewAge));
        }
    }

    // Notifications may have been missed while the listener was disconnected: reload everything.
    private void OnReconnected() => _ = RefreshAsync(async () =>
    {
        await LoadAllAsync();
        return true;
    });

    // A render only when the ledger moved without a notification reaching this tab (the view changed).
    private void OnReconcile() => _ = ReconcileAsync();

    private async Task ReconcileAsync()
    {
        if (!_disposed.IsCancellationRequested && _credits.View is not null)
        {
            await RefreshAsync(() => ReloadCreditsAsync(MaxViewAge, quiet: true));
        }
    }

    // reload answers whether the tab itself must render again.
    private async Task RefreshAsync(Func<Task<bool>> reload)
    {
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        try
        {
            await InvokeAsync(async () =>
            {
                if (await reload())
                {
                    StateHasChanged();
                }
            });
        }
        catch (Exception ex) when (ex is ObjectDisposedException or OperationCanceledException)
        {
            // The circuit went away between the notification and the reload.
        }
    }

    public void Dispose()
    {
        _subscription?.Dispose();
        Feed.Reconnected -= OnReconnected;
        _reconcile?.Dispose();
        _disposed.Cancel();
        _disposed.Dispose();
    }
}
