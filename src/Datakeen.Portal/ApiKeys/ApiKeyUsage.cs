using System.Collections.Concurrent;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys;

// Remembers in memory when each key was last used; ApiKeyUsageFlusher writes it to last_used_at in batches,
// so verification never writes to the database.
public sealed class ApiKeyUsageTracker(TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, Slot> _slots = new();

    public void Record(Guid keyId)
    {
        var slot = _slots.GetOrAdd(keyId, static _ => new Slot());
        Volatile.Write(ref slot.LastUsedTicks, time.GetUtcNow().UtcTicks);
    }

    // Usage recorded since the previous call, marked as taken.
    public IReadOnlyList<(Guid KeyId, DateTimeOffset LastUsedAt)> TakePending()
    {
        var pending = new List<(Guid, DateTimeOffset)>();
        foreach (var (keyId, slot) in _slots)
        {
            var used = Volatile.Read(ref slot.LastUsedTicks);
            if (used > slot.FlushedTicks)
            {
                slot.FlushedTicks = used;
                pending.Add((keyId, new DateTimeOffset(used, TimeSpan.Zero)));
            }
            else
            {
                // Idle since the last flush: forget it, so the map stays as small as the set of busy keys. A use
                // recorded into the slot just as it is removed is lost; last_used_at is informational.
                _slots.TryRemove(new KeyValuePair<Guid, Slot>(keyId, slot));
            }
        }

        return pending;
    }

    private sealed class Slot
    {
        public long LastUsedTicks;
        public long FlushedTicks;
    }
}

// Writes the recorded usage every UsageFlushInterval, and once more when the host stops.
public sealed class ApiKeyUsageFlusher(
    ApiKeyUsageTracker tracker,
    IDbContextFactory<PortalDbContext> contextFactory,
    IOptionsMonitor<ApiKeyOptions> options,
    TimeProvider time,
    ILogger<ApiKeyUsageFlusher> logger) : PeriodicJob(time, logger)
{
    protected override TimeSpan Interval => options.CurrentValue.UsageFlushInterval;

    protected override Task RunAsync(CancellationToken ct) => FlushAsync(ct);

    protected override Task StoppedAsync() => FlushAsync(CancellationToken.None);

    // One UPDATE for the whole batch.
    public async Task FlushAsync(CancellationToken ct)
    {
        var pending = tracker.TakePending();
        if (pending.Count == 0)
        {
            return;
        }

        var ids = pending.Select(p => p.KeyId).ToArray();
        var usedAt = pending.Select(p => p.LastUsedAt).ToArray();
        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(ct);
            await db.Database.ExecuteSqlAsync($"""
                UPDATE api_keys AS k
                SET last_used_at = GREATEST(COALESCE(k.last_used_at, u.used_at), u.used_at)
                FROM unnest({ids}::uuid[], {usedAt}::timestamptz[]) AS u(id, used_at)
                WHERE k.id = u.id
                """, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Usage timestamps are informational; losing one batch is better than failing requests.
            logger.LogWarning(ex, "Could not record last use of {Count} API key(s)", pending.Count);
        }
    }
}
