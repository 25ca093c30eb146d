using System.Data.Common;
using System.Threading.Channels;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.Credits;

public sealed class IdempotencyPurgeJobTests(PortalDatabaseFixture database) : CreditDatabaseTests(database)
{
    [Fact]
    public async Task The_job_purges_at_start_and_then_every_hour()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var data = WithTime(time);
        var workspaceId = await data.CreateWorkspaceAsync();
        await data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "day-old"));
        time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "fresh"));
        // The job's store on contexts of the test's own, whose interceptor signals each finished purge.
        var purges = new PurgeRuns();
        var contexts = new PooledDbContextFactory<PortalDbContext>(new DbContextOptionsBuilder<PortalDbContext>()
            .UseNpgsql(data.DataSource).UseSnakeCaseNamingConvention().AddInterceptors(purges).Options);
        using var job = new IdempotencyPurgeJob(new IdempotencyStore(contexts, time), time,
            NullLogger<IdempotencyPurgeJob>.Instance);

        await job.StartAsync(CancellationToken.None);
        await purges.RunAsOfAsync(time.GetUtcNow());
        Assert.Equal(["fresh"], await KeysAsync(data, workspaceId));

        time.Advance(TimeSpan.FromHours(23) + TimeSpan.FromMinutes(59));
        await purges.RunAsOfAsync(time.GetUtcNow());
        Assert.Equal(["fresh"], await KeysAsync(data, workspaceId));

        time.Advance(TimeSpan.FromMinutes(2));
        await purges.RunAsOfAsync(time.GetUtcNow());
        Assert.Empty(await KeysAsync(data, workspaceId));
        await job.StopAsync(CancellationToken.None);
    }

    // Each finished purge, by the cutoff it deleted before (the command's parameter). A clock jump can wake the
    // job more than once, so the test waits for a purge of the instant it cares about, not for "the next run".
    private sealed class PurgeRuns : DbCommandInterceptor
    {
        private readonly Channel<DateTimeOffset> _cutoffs = Channel.CreateUnbounded<DateTimeOffset>();

        // A purge that never comes fails the test instead of hanging it.
        public async Task RunAsOfAsync(DateTimeOffset now)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var wanted = now - IdempotencyStore.Retention;
            while (await _cutoffs.Reader.ReadAsync(timeout.Token) < wanted)
            {
            }
        }

        public override async ValueTask<int> NonQueryExecutedAsync(DbCommand command, CommandExecutedEventData eventData,
            int result, CancellationToken cancellationToken = default)
        {
            if (command.CommandText.StartsWith("DELETE FROM idempotency_records", StringComparison.Ordinal))
            {
                var cutoff = command.Parameters.Cast<DbParameter>().Select(p => p.Value).OfType<DateTimeOffset>().Single();
                _cutoffs.Writer.TryWrite(cutoff);
            }

            return await base.NonQueryExecutedAsync(command, eventData, result, cancellationToken);
        }
    }

    private static async Task<List<string>> KeysAsync(CreditTestData data, Guid workspaceId)
    {
        await using var db = await data.Contexts.CreateDbContextAsync();
        return await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId).OrderBy(r => r.Key).Select(r => r.Key).ToListAsync();
    }
}
