using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;

namespace Datakeen.Portal.Infrastructure;

// Change notifications that are hints, not records (credit balances: the ledger is the truth), sent after the
// change committed instead of inside its transaction. A NOTIFY inside a transaction takes PostgreSQL's
// notification-queue lock at commit, which serialises every committing debit (docs/benchmarks.md, credits).
// Here a debit only marks its (channel, payload) pending; one loop sends everything pending as ONE statement,
// then waits Window before the next send. So a lone change is announced right after its commit, and under load
// each payload is sent at most once per Window, all of them batched. A crash between a commit and its send
// loses the hint: every listener also reconciles with the ledger (ApiDocsTab.ReconcileInterval), so a meter
// is late by at most that interval, and never wrong.
// Not for security-relevant changes: key revocations NOTIFY inside the rotation's transaction.
public sealed class CoalescedNotifier(NpgsqlDataSource dataSource, ILogger<CoalescedNotifier> logger, IMeterFactory meters)
    : BackgroundService
{
    public static readonly TimeSpan Window = TimeSpan.FromMilliseconds(100);

    private const string SendSql = "SELECT pg_notify(n.channel, n.payload) FROM unnest($1, $2) AS n(channel, payload)";

    private readonly Lock _gate = new();
    private HashSet<(string Channel, string Payload)> _pending = [];

    // Capacity 1, extra writes dropped: "there is something to send" needs no more than one token.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    // NOTIFY statements sent (not payloads): how well the hints are coalesced.
    private readonly Counter<long> _statements = meters.Create("Datakeen.Portal.ChangeFeed").CreateCounter<long>(
        "datakeen.change_feed.notify_statements", "{statement}", "Coalesced NOTIFY statements sent for change hints.");

    public void Enqueue(string channel, string payload)
    {
        bool first;
        lock (_gate)
        {
            first = _pending.Add((channel, payload)) && _pending.Count == 1;
        }

        if (first)
        {
            _wake.Writer.TryWrite(true);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                _wake.Reader.TryRead(out _);
                if (await SendPendingAsync(stoppingToken))
                {
                    await Task.Delay(Window, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is still pending goes out in StopAsync.
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // The last changes of a stopping instance are announced too (other instances' meters move now, not at
        // their next reconcile).
        await SendPendingAsync(cancellationToken);
    }

    private async Task<bool> SendPendingAsync(CancellationToken ct)
    {
        HashSet<(string Channel, string Payload)> batch;
        lock (_gate)
        {
            if (_pending.Count == 0)
            {
                return false;
            }

            batch = _pending;
            _pending = [];
        }

        var channels = new string[batch.Count];
        var payloads = new string[batch.Count];
        var i = 0;
        foreach (var (channel, payload) in batch)
        {
            channels[i] = channel;
            payloads[i++] = payload;
        }

        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(ct);
            await using var send = new NpgsqlCommand(SendSql, connection)
            {
                Parameters =
                {
                    new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = channels },
                    new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = payloads },
                },
            };
            await send.ExecuteNonQueryAsync(ct);
            _statements.Add(1);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopping in the middle of a send: the batch goes back and StopAsync sends it (a hint sent twice is
            // harmless; a lost one leaves other instances' meters late until they reconcile).
            lock (_gate)
            {
                _pending.UnionWith(batch);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            // Hints only: the listeners' reconcile catches up. Payloads carry ids, never secrets.
            logger.LogWarning(ex, "Sending {Count} change notification(s) failed; listeners reconcile instead", batch.Count);
        }

        return true;
    }
}
