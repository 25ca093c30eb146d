using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Usage;

// Keeps key_usage_days small: one row per key and day is the roll-up, and rows older than the retention
// (three times what the tab shows) are deleted, daily (and once at start-up).
public sealed class KeyUsageRetentionJob(IDbContextFactory<PortalDbContext> contexts, TimeProvider time,
    ILogger<KeyUsageRetentionJob> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromDays(1);
    public const int RetentionDays = 90;

    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var cutoff = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(-RetentionDays);
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.KeyUsageDays.Where(u => u.Day < cutoff).ExecuteDeleteAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            try
            {
                var purged = await PurgeAsync(stoppingToken);
                if (purged > 0)
                {
                    logger.LogInformation("Deleted {Count} key usage day(s) older than {Days} days", purged, RetentionDays);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A missed purge only delays the next one.
                logger.LogWarning(ex, "Deleting old key usage failed");
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
