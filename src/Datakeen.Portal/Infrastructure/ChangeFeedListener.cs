using System.Globalization;
using Datakeen.Portal.Infrastructure.Telemetry;
using Npgsql;

namespace Datakeen.Portal.Infrastructure;

// Holds one dedicated connection that LISTENs to the change channels and forwards every
// notification to the in-process ChangeFeed. Reconnects with a back-off, and
// announces each (re)connection so that consumers flush what they may have missed.
// Every few seconds it NOTIFYs itself a keepalive: a half-open connection (a dead peer that TCP has not
// noticed yet) fails the send or never delivers it, so the health check and a reconnect notice it, and the
// delivery time is the feed's lag (docs/deploy.md).
public sealed class ChangeFeedListener(
    NpgsqlDataSource dataSource,
    ChangeFeed feed,
    ChangeFeedStatus status,
    TimeProvider time,
    ILogger<ChangeFeedListener> logger) : BackgroundService
{
    public const string KeepaliveChannel = "datakeen_keepalive";

    private readonly string _token = Guid.NewGuid().ToString("N");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        var connectedBefore = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                // Pooled connections are not reset (AddPortalData): this one must not go back LISTENing.
                await using var unlisten = new Unlisten(connection);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == KeepaliveChannel)
                    {
                        OnKeepalive(e.Payload);
                    }
                    else
                    {
                        feed.Publish(e.Channel, e.Payload);
                    }
                };
                foreach (var channel in ChangeFeed.Channels.Append(KeepaliveChannel))
                {
                    await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                if (connectedBefore)
                {
                    PortalTelemetry.ChangeFeedReconnects.Add(1);
                }
                connectedBefore = true;
                status.MarkConnected();
                feed.RaiseReconnected();
                delay = TimeSpan.FromMilliseconds(200);
                while (!stoppingToken.IsCancellationRequested)
                {
                    if (!await connection.WaitAsync(status.KeepaliveInterval, stoppingToken))
                    {
                        await SendKeepaliveAsync(connection, stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                status.MarkDisconnected();
                logger.LogWarning(ex, "Change feed connection lost; reconnecting in {Delay}", delay);
                feed.RaiseReconnected();
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    private async Task SendKeepaliveAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var sentAt = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        await using var notify = new NpgsqlCommand("SELECT pg_notify($1, $2)", connection)
        {
            CommandTimeout = (int)Math.Ceiling(status.KeepaliveInterval.TotalSeconds),
            Parameters = { new() { Value = KeepaliveChannel }, new() { Value = _token + ":" + sentAt } },
        };
        await notify.ExecuteNonQueryAsync(ct);
    }

    // Other instances' keepalives arrive too: each one is a lag sample; only our own proves our connection.
    private void OnKeepalive(string payload)
    {
        var separator = payload.IndexOf(':', StringComparison.Ordinal);
        if (separator < 0 || !long.TryParse(payload.AsSpan(separator + 1), CultureInfo.InvariantCulture, out var sentAt))
        {
            return;
        }

        PortalTelemetry.ChangeFeedLag.Record(Math.Max(0, time.GetUtcNow().ToUnixTimeMilliseconds() - sentAt) / 1000.0);
        if (payload.AsSpan(0, separator).SequenceEqual(_token))
        {
            status.MarkHeard();
        }
    }

    // On the way out (shutdown, or a failure that left the connection usable), the connection stops listening
    // before it returns to the pool; a broken one is never pooled.
    private sealed class Unlisten(NpgsqlConnection connection) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (connection.State != System.Data.ConnectionState.Open)
            {
                return;
            }

            try
            {
                await using var unlisten = new NpgsqlCommand("UNLISTEN *", connection) { CommandTimeout = 2 };
                await unlisten.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                // Broken: Npgsql does not pool it.
            }
        }
    }
}
