namespace Datakeen.Portal.Credits;

// Deletes idempotency records past their retention, hourly (and once at start-up).
public sealed class IdempotencyPurgeJob(IdempotencyStore store, TimeProvider time, ILogger<IdempotencyPurgeJob> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var purged = await store.PurgeAsync(stoppingToken);
                if (purged > 0)
                {
                    logger.LogInformation("Purged {Count} idempotency record(s) older than {Retention}", purged, IdempotencyStore.Retention);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A missed purge only delays the next one; the service keeps running.
                logger.LogWarning(ex, "Purging idempotency records failed");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
