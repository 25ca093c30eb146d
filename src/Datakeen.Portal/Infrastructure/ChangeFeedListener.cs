using Npgsql;

namespace Datakeen.Portal.Infrastructure;

// Holds one dedicated connection that LISTENs to the change channels and forwards every
// notification to the in-process ChangeFeed. Reconnects with a back-off, and
// announces each (re)connection so that consumers flush what they may have missed.
public sealed class ChangeFeedListener(
    NpgsqlDataSource dataSource,
    ChangeFeed feed,
    ILogger<ChangeFeedListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) => feed.Publish(e.Channel, e.Payload);
                foreach (var channel in ChangeFeed.Channels)
                {
                    await using var listen = new NpgsqlCommand($"LISTEN {channel}", connection);
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                feed.RaiseReconnected();
                delay = TimeSpan.FromMilliseconds(200);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Change feed connection lost; reconnecting in {Delay}", delay);
                feed.RaiseReconnected();
                await Task.Delay(delay, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }
}
