using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.Credits;

// Deletes idempotency records past their retention, hourly (and once at start-up).
public sealed class IdempotencyPurgeJob(IdempotencyStore store, TimeProvider time, ILogger<IdempotencyPurgeJob> logger)
    : PeriodicJob(time, logger)
{
    public static readonly TimeSpan PurgeInterval = TimeSpan.FromHours(1);

    protected override TimeSpan Interval => PurgeInterval;

    protected override bool RunsAtStart => true;

    protected override async Task RunAsync(CancellationToken ct)
    {
        var purged = await store.PurgeAsync(ct);
        if (purged > 0)
        {
            logger.LogInformation("Purged {Count} idempotency record(s) older than {Retention}", purged, IdempotencyStore.Retention);
        }
    }
}
