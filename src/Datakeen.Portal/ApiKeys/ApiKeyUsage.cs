using System.Collections.Concurrent;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Datakeen.Portal.ApiKeys;

// Remembers in memory when each key was last used and how many requests it verified per UTC day;
// ApiKeyUsageFlusher writes both in batches (last_used_at, key_usage_days), so verification never writes
// to the database.
public sealed class ApiKeyUsageTracker(TimeProvider time)
{
    private readonly ConcurrentDictionary<Guid, Slot> _slots = new();
    private readonly ConcurrentDictionary<(Guid KeyId, DateOnly Day), Counter> _counts = new();

    // One verified request (API, verify API or gateway hook).
    public void Record(Guid keyId)
    {
        var now = time.GetUtcNow();
        var slot = _slots.GetOrAdd(keyId, static _ => new Slot());
        Volatile.Write(ref slot.LastUsedTicks, now.UtcTicks);
        Interlocked.Increment(ref _counts.GetOrAdd((keyId, DateOnly.FromDateTime(now.UtcDateTime)), static _ => new Counter()).Requests);
    }

    // Requests counted since the previous call, per key and day, taken (reset to zero).
    public IReadOnlyList<(Guid KeyId, DateOnly Day, long Requests)> TakeCounts()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var taken = new List<(Guid, DateOnly, long)>();
        foreach (var ((keyId, day), counter) in _counts)
        {
            var requests = Interlocked.Exchange(ref counter.Requests, 0);
            if (requests > 0)
            {
                taken.Add((keyId, day, requests));
            }
            else if (day < today)
            {
                // A past day is complete: forget it. A count added between the exchange and the removal would
                // be lost, which only a request stamped with yesterday's date racing this flush can do.
                _counts.TryRemove(new KeyValuePair<(Guid, DateOnly), Counter>((keyId, day), counter));
            }
        }

        return taken;
    }

    // Puts counts back after a failed write, so the next flush carries them.
    public void Restore(IEnumerable<(Guid KeyId, DateOnly Day, long Requests)> counts)
    {
        foreach (var (keyId, day, requests) in counts)
        {
            Interlocked.Add(ref _counts.GetOrAdd((keyId, day), static _ => new Counter()).Requests, requests);
        }
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

    private sealed class Counter
    {
        public long Requests;
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

    // Counts of the batch land in their day's row (the daily roll-up): one row per key and day however
    // many flushes add to it. Keys are joined for their workspace (and a key that is gone is skipped).
    private const string CountsSql = """
        INSERT INTO key_usage_days (key_id, workspace_id, day, requests)
        SELECT u.id, k.workspace_id, u.day, u.requests
        FROM unnest(@ids::uuid[], @days::date[], @requests::bigint[]) AS u(id, day, requests)
        JOIN api_keys AS k ON k.id = u.id
        ON CONFLICT (key_id, day) DO UPDATE SET requests = key_usage_days.requests + EXCLUDED.requests
        """;

    // One UPDATE for the last uses and one INSERT for the counts of the whole batch.
    public async Task FlushAsync(CancellationToken ct)
    {
        await FlushCountsAsync(ct);
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

    private async Task FlushCountsAsync(CancellationToken ct)
    {
        var counts = tracker.TakeCounts();
        if (counts.Count == 0)
        {
            return;
        }

        try
        {
            await using var db = await contextFactory.CreateDbContextAsync(ct);
            await db.Database.ExecuteSqlRawAsync(CountsSql,
            [
                new NpgsqlParameter<Guid[]>("ids", counts.Select(c => c.KeyId).ToArray()),
                new NpgsqlParameter<DateOnly[]>("days", counts.Select(c => c.Day).ToArray()),
                new NpgsqlParameter<long[]>("requests", counts.Select(c => c.Requests).ToArray()),
            ], ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Kept for the next flush rather than lost: the usage chart is what customers read.
            tracker.Restore(counts);
            logger.LogWarning(ex, "Could not record usage of {Count} API key(s)", counts.Count);
        }
    }
}
