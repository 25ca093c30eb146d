using System.Collections.Concurrent;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Infrastructure;
using Npgsql;

namespace Datakeen.Portal.Credits;

// Balances as the verify API reports them ("credits.remaining") without a database read per call: a debit
// evicts the workspace here at once on its own instance and, by its coalesced NOTIFY (see CreditLedger), on
// every other one; a reconnection of the change feed flushes everything, and a short TTL
// bounds anything missed. Informational only: debits never read it (they are conditional updates).
public sealed class CreditBalanceCache
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private const string BalanceSql = "SELECT balance FROM credit_accounts WHERE workspace_id = $1 AND environment = $2";

    private readonly ConcurrentDictionary<(Guid WorkspaceId, KeyEnvironment Environment), Entry> _cache = new();
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _time;

    // Bumped by every invalidation, so that a read that started before it is not cached after it.
    private long _generation;

    public CreditBalanceCache(NpgsqlDataSource dataSource, ChangeFeed feed, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
        feed.Invalidating += OnNotified;
        feed.Flushing += FlushAll;
    }

    public async ValueTask<long> GetAsync(Guid workspaceId, KeyEnvironment environment, CancellationToken ct)
    {
        if (_cache.TryGetValue((workspaceId, environment), out var cached) && _time.GetElapsedTime(cached.LoadedAt) < Ttl)
        {
            return cached.Balance;
        }

        var generation = Interlocked.Read(ref _generation);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var read = new NpgsqlCommand(BalanceSql, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid> { TypedValue = workspaceId },
                new NpgsqlParameter<string> { TypedValue = environment.ToString() },
            },
        };
        // A workspace without an account (none opened yet) has nothing.
        var balance = await read.ExecuteScalarAsync(ct) is long value ? value : 0;
        var entry = new Entry(balance, _time.GetTimestamp());
        _cache[(workspaceId, environment)] = entry;
        if (Interlocked.Read(ref _generation) != generation)
        {
            _cache.TryRemove(new KeyValuePair<(Guid, KeyEnvironment), Entry>((workspaceId, environment), entry));
        }

        return balance;
    }

    public void Evict(Guid workspaceId)
    {
        Interlocked.Increment(ref _generation);
        _cache.TryRemove((workspaceId, KeyEnvironment.Test), out _);
        _cache.TryRemove((workspaceId, KeyEnvironment.Production), out _);
    }

    private void FlushAll()
    {
        Interlocked.Increment(ref _generation);
        _cache.Clear();
    }

    private void OnNotified(string channel, string payload)
    {
        if (channel != ChangeFeed.CreditChannel)
        {
            return;
        }

        if (ChangePayload.WorkspaceOf(payload) is { } workspaceId)
        {
            Evict(workspaceId);
        }
        else
        {
            FlushAll();
        }
    }

    private sealed record Entry(long Balance, long LoadedAt);
}
