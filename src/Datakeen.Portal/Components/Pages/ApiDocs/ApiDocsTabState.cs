using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Components.Layout;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Usage;
using Datakeen.Portal.Workspaces;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// The state of one API & Docs tab, shared by its islands (scoped: one per page request, one per circuit, and the
// islands of one page share one circuit): the workspace context (through WorkspaceContexts and the guard), the keys
// with their exposure (one query), their usage (one query), and the test credits. It loads once per tab whichever
// island asks first, and keeps it live through ONE change-feed subscription per tab (this workspace's changes only).
// Islands render from it and re-render when it says so (Changed, Credits.Changed).
public sealed class ApiDocsTabState(
    WorkspaceContexts contexts,
    IApiKeyManager keyManager,
    ICreditQueries creditQueries,
    IKeyUsageQueries usageQueries,
    ChangeFeed feed,
    TimeProvider time,
    ILogger<ApiDocsTabState> logger) : IDisposable
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

    private readonly CancellationTokenSource _disposed = new();
    private Task? _opening;
    private string? _slug;
    private Func<Func<Task>, Task>? _dispatch;
    private IDisposable? _subscription;
    private ITimer? _reconcile;

    // The old key of a rotation this tab applied itself: the change feed's notification of it needs no reload.
    private Guid? _appliedRotation;
    private int _keysVersion;
    private int _creditsVersion;

    public WorkspaceContext? Workspace { get; private set; }

    public IReadOnlyList<ApiKeyView>? Keys { get; private set; }

    public IReadOnlyDictionary<Guid, KeyUsageSeries>? Usage { get; private set; }

    public DateOnly UsageFirstDay { get; private set; }

    public bool LoadFailed { get; private set; }

    public bool AccessLost { get; private set; }

    // The Test card's meter and history render from this and re-render alone when it changes: a debit does not
    // re-render the key rows on every open tab (docs/benchmarks.md, fan-out).
    public TestCreditsState Credits { get; } = new();

    // The keys, the load status or the workspace changed: the key islands and the status island render again.
    // Raised on the circuit's dispatcher.
    public event Action? Changed;

    // Called by every island of the tab as it starts; the first call loads, the others wait for the same load.
    // live: the island is interactive (a circuit), so the tab listens to the change feed; dispatch: an island's
    // InvokeAsync, the circuit's dispatcher on which the state changes.
    public Task OpenAsync(string slug, bool live, Func<Func<Task>, Task> dispatch)
    {
        _dispatch ??= dispatch;
        if (_opening is null || _slug != slug)
        {
            _slug = slug;
            _opening = OpenCoreAsync(slug);
        }

        if (live && _subscription is null && _opening.IsCompletedSuccessfully && Workspace is not null)
        {
            Listen(Workspace.Id);
        }
        else if (live && _subscription is null)
        {
            _opening = ListenAfterAsync(_opening);
        }
        return _opening;
    }

    private async Task ListenAfterAsync(Task opening)
    {
        await opening;
        if (_subscription is null && Workspace is not null)
        {
            Listen(Workspace.Id);
        }
    }

    private void Listen(Guid workspaceId)
    {
        // Only this workspace's changes reach the tab.
        _subscription = feed.Subscribe(workspaceId, OnNotified);
        feed.Reconnected += OnReconnected;
        _reconcile = time.CreateTimer(_ => OnReconcile(), null, ReconcileInterval / 2, ReconcileInterval / 2);
    }

    private async Task OpenCoreAsync(string slug)
    {
        Workspace = await contexts.ForSlugAsync(slug);
        if (Workspace is null)
        {
            AccessLost = true;
            return;
        }

        await LoadAllAsync();
    }

    private async Task LoadAllAsync()
    {
        LoadFailed = false;
        AccessLost = false;
        await ReloadKeysCoreAsync();
        if (!LoadFailed)
        {
            await ReloadCreditsAsync(MaxViewAge);
        }
    }

    public async Task RetryAsync()
    {
        Keys = null;
        Credits.Set(null);
        Changed?.Invoke();
        await LoadAllAsync();
        Changed?.Invoke();
    }

    // The key list may have changed (a row was told its key is gone or can no longer be shown).
    public async Task ReloadKeysAsync()
    {
        await ReloadKeysCoreAsync();
        Changed?.Invoke();
    }

    private async Task ReloadKeysCoreAsync()
    {
        if (Workspace is not { } workspace)
        {
            return;
        }

        var version = ++_keysVersion;
        try
        {
            // The keys (with their exposure) and their usage, side by side, each on its own DbContext.
            var keys = keyManager.ListAsync(workspace.Id, workspace.Actor, _disposed.Token);
            var usage = usageQueries.GetLastDaysAsync(workspace.Id, workspace.Actor, KeyUsageQueries.ChartDays, _disposed.Token);
            var (loaded, series) = (await keys, await usage);
            if (version == _keysVersion)
            {
                Keys = loaded;
                Usage = series;
                UsageFirstDay = usageQueries.FirstDay(KeyUsageQueries.ChartDays);
            }
        }
        catch (Exception ex)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            logger.LogWarning(ex, "Loading the API keys of workspace {WorkspaceId} failed", workspace.Id);
            LoadFailed = true;
        }
    }

    // True when the status changed (access lost, a failure); the meter re-renders by itself.
    // quiet: a failure keeps what is shown (the reconcile tries again at its next interval).
    private async Task<bool> ReloadCreditsAsync(TimeSpan maxAge, bool quiet = false)
    {
        if (Workspace is not { } workspace)
        {
            return false;
        }

        var version = ++_creditsVersion;
        var accessLost = AccessLost;
        var loadFailed = LoadFailed;
        try
        {
            // Null when the caller is no longer a member: stop showing the workspace's ledger.
            var view = await creditQueries.GetViewAsync(workspace.Id, workspace.Actor, KeyEnvironment.Test, maxAge, _disposed.Token);
            if (version == _creditsVersion)
            {
                AccessLost = view is null;
                Credits.Set(view);
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
                logger.LogDebug(ex, "Reconciling the test credits of workspace {WorkspaceId} failed", workspace.Id);
                return false;
            }

            logger.LogWarning(ex, "Loading the test credits of workspace {WorkspaceId} failed", workspace.Id);
            LoadFailed = true;
        }

        return AccessLost != accessLost || LoadFailed != loadFailed;
    }

    // The dialog's answer: a rotation replaces the old key's view and adds the new one, here, without a reload;
    // a stale or unknown key means the tab is out of date, so it reloads.
    public async Task ApplyRotationAsync(KeyRotationResult result)
    {
        if (result is { Outcome: KeyRotationOutcome.Rotated, NewKey: { } added, ReplacedKey: { } replaced } && Keys is not null)
        {
            var now = time.GetUtcNow();
            var stillWorks = replaced.ExpiresAt is { } expires && expires > now;
            Keys = Keys.Where(k => k.Id != replaced.Id)
                .Concat(stillWorks ? [replaced, added] : [added])
                .OrderBy(k => k.Environment).ThenBy(k => k.Kind).ThenByDescending(k => k.CreatedAt)
                .ToList();
            _appliedRotation = replaced.Id;
            _keysVersion++;
            Changed?.Invoke();
            return;
        }

        await ReloadKeysAsync();
    }

    // Raised on the listener's thread for this workspace's changes: hop onto the circuit's dispatcher first.
    private void OnNotified(string channel, string payload)
    {
        if (Workspace is not { } workspace)
        {
            return;
        }

        if (channel == ChangeFeed.KeyChannel)
        {
            // The notification of this tab's own rotation: already applied.
            if (_appliedRotation is { } applied && payload == ChangePayload.For(workspace.Id, applied.ToString("D")))
            {
                _appliedRotation = null;
                return;
            }

            _ = RefreshAsync(async () =>
            {
                await ReloadKeysCoreAsync();
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
        if (!_disposed.IsCancellationRequested && Credits.View is not null)
        {
            await RefreshAsync(() => ReloadCreditsAsync(MaxViewAge, quiet: true));
        }
    }

    // reload answers whether the key and status islands must render again.
    private async Task RefreshAsync(Func<Task<bool>> reload)
    {
        if (_disposed.IsCancellationRequested || _dispatch is not { } dispatch)
        {
            return;
        }

        try
        {
            await dispatch(async () =>
            {
                if (await reload())
                {
                    Changed?.Invoke();
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
        if (_disposed.IsCancellationRequested)
        {
            return;
        }

        _subscription?.Dispose();
        feed.Reconnected -= OnReconnected;
        _reconcile?.Dispose();
        // Cancelled, not disposed: a load still running reads its token.
        _disposed.Cancel();
    }
}
