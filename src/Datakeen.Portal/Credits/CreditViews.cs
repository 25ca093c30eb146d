using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.Metrics;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Credits;

// What the API & Docs tab shows of an environment's credits: the meter's summary and the newest ledger lines.
public sealed record CreditView(CreditSummary Summary, IReadOnlyList<LedgerLine> History);

// One load per workspace and change, shared by every tab open on it on this instance. When a debit is
// announced, hundreds of open tabs of one workspace reload at once: they all await the same load (summary,
// history and the workspace's member ids, so that each tab still checks its own caller) instead of issuing
// four queries each (docs/benchmarks.md, fan-out). A change notification empties the workspace's entry before
// any tab hears of it (ChangeFeed.Invalidating); a reconnection of the feed empties everything; and a caller
// may bound the age of what it gets (the tabs' reconcile), which catches up with a notification that was lost.
public sealed class CreditViews
{
    public const int HistoryLength = 20;

    private const int SweepAbove = 1024;

    private readonly ConcurrentDictionary<(Guid WorkspaceId, KeyEnvironment Environment), Entry> _entries = new();
    private readonly IDbContextFactory<PortalDbContext> _contexts;
    private readonly WorkspaceGuard _guard;
    private readonly TimeProvider _time;

    public CreditViews(IDbContextFactory<PortalDbContext> contexts, WorkspaceGuard guard, ChangeFeed feed, TimeProvider time,
        IMeterFactory meters)
    {
        _loads = meters.Create("Datakeen.Portal.Credits").CreateCounter<long>(
            "datakeen.credits.view_loads", "{load}", "Loads of a workspace's shared credit view (one per change, shared by its tabs).");
        _contexts = contexts;
        _guard = guard;
        _time = time;
        feed.Invalidating += OnInvalidating;
        feed.Flushing += _entries.Clear;
    }

    private readonly Counter<long> _loads;

    // The view, or null when the actor may not read the workspace. maxAge: how old the shared load may be
    // (measured from its start, so conservatively).
    public async Task<CreditView?> GetAsync(Guid workspaceId, Auth.Actor actor, KeyEnvironment environment, TimeSpan maxAge,
        CancellationToken ct = default)
    {
        var key = (workspaceId, environment);
        var entry = Current(key, maxAge);
        Snapshot snapshot;
        try
        {
            // The load is shared: it never takes one caller's cancellation; a caller stops waiting for it.
            snapshot = await entry.Load.Value.WaitAsync(ct);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // A failed load is not kept: the next caller tries again.
            _entries.TryRemove(KeyValuePair.Create(key, entry));
            throw;
        }

        // The shared load's member ids stand in for the guard's membership read when hundreds of tabs reload at once
        // (a member removed since the load still gets the view until the next change or maxAge; WorkspaceScope and
        // session revalidation take the workspace away). Anyone else is asked of the guard before being told no.
        if (snapshot.Members.Contains(actor.UserId))
        {
            return snapshot.View;
        }

        return (await _guard.CheckAsync(workspaceId, actor, WorkspaceDemand.Member, ct)).IsAllowed ? snapshot.View : null;
    }

    private Entry Current((Guid WorkspaceId, KeyEnvironment Environment) key, TimeSpan maxAge)
    {
        if (_entries.Count > SweepAbove)
        {
            Sweep();
        }

        while (true)
        {
            if (_entries.TryGetValue(key, out var existing) && _time.GetElapsedTime(existing.StartedAt) <= maxAge)
            {
                return existing;
            }

            // Lazy: of two callers racing to replace an entry, only the winner's load ever starts.
            var created = new Entry(new Lazy<Task<Snapshot>>(() => LoadAsync(key.WorkspaceId, key.Environment)), _time.GetTimestamp());
            if (existing is null ? _entries.TryAdd(key, created) : _entries.TryUpdate(key, created, existing))
            {
                return created;
            }
        }
    }

    private async Task<Snapshot> LoadAsync(Guid workspaceId, KeyEnvironment environment)
    {
        _loads.Add(1);
        await using var db = await _contexts.CreateDbContextAsync(CancellationToken.None);
        var members = await db.Memberships.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.UserId != null)
            .Select(m => m.UserId!.Value)
            .ToListAsync(CancellationToken.None);
        var summary = await CreditQueries.SummaryAsync(db, workspaceId, environment, CancellationToken.None);
        var history = await CreditQueries.HistoryAsync(db, workspaceId, environment, HistoryLength, CancellationToken.None);
        return new Snapshot(new CreditView(summary, history), members.ToFrozenSet());
    }

    private void OnInvalidating(string channel, string payload)
    {
        if (channel != ChangeFeed.CreditChannel)
        {
            return;
        }

        if (ChangePayload.WorkspaceOf(payload) is { } workspaceId)
        {
            _entries.TryRemove((workspaceId, KeyEnvironment.Test), out _);
            _entries.TryRemove((workspaceId, KeyEnvironment.Production), out _);
        }
        else
        {
            _entries.Clear();
        }
    }

    // Entries of workspaces nobody looks at any more.
    private void Sweep()
    {
        foreach (var (key, entry) in _entries)
        {
            if (_time.GetElapsedTime(entry.StartedAt) > TimeSpan.FromMinutes(1))
            {
                _entries.TryRemove(KeyValuePair.Create(key, entry));
            }
        }
    }

    private sealed record Entry(Lazy<Task<Snapshot>> Load, long StartedAt);

    private sealed record Snapshot(CreditView View, FrozenSet<Guid> Members);
}
