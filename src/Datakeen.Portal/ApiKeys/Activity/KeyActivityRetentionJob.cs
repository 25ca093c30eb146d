using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys.Activity;

// Keeps key_activity bounded: rows older than ApiKeyOptions.ActivityRetention (7 days unless configured) are
// deleted hourly and at start-up, by the index on time.
public sealed class KeyActivityRetentionJob(
    IDbContextFactory<PortalDbContext> contexts,
    IOptionsMonitor<ApiKeyOptions> options,
    TimeProvider time,
    ILogger<KeyActivityRetentionJob> logger) : PeriodicJob(time, logger)
{
    private readonly TimeProvider _time = time;

    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override bool RunsAtStart => true;

    protected override async Task RunAsync(CancellationToken ct)
    {
        var purged = await PurgeAsync(ct);
        if (purged > 0)
        {
            logger.LogInformation("Deleted {Count} key activity row(s) older than {Retention}", purged, options.CurrentValue.ActivityRetention);
        }
    }

    public async Task<int> PurgeAsync(CancellationToken ct)
    {
        var cutoff = _time.GetUtcNow() - options.CurrentValue.ActivityRetention;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.KeyActivity.Where(a => a.At < cutoff).ExecuteDeleteAsync(ct);
    }
}
