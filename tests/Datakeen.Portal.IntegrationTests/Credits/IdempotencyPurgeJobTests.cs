using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.Credits;

public sealed class IdempotencyPurgeJobTests(PortalDatabaseFixture database) : CreditDatabaseTests(database)
{
    private static readonly IdempotentAnswer Answers = new(
        IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 1, null), """{"balance":""", "}",
        new StoredResponse(402, """{"code":"refused"}"""));

    [Fact]
    public async Task The_job_purges_at_start_and_then_every_hour()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var data = WithTime(time);
        var workspaceId = await data.CreateWorkspaceAsync();
        await data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "day-old"), Answers);
        time.Advance(TimeSpan.FromHours(24) + TimeSpan.FromMinutes(1));
        await data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "fresh"), Answers);
        using var job = new IdempotencyPurgeJob(data.Idempotency, time, NullLogger<IdempotencyPurgeJob>.Instance);

        await job.StartAsync(CancellationToken.None);
        await WaitForKeysAsync(data, workspaceId, ["fresh"]);

        time.Advance(TimeSpan.FromHours(23) + TimeSpan.FromMinutes(59));
        await Task.Delay(200);
        Assert.Equal(["fresh"], await KeysAsync(data, workspaceId));

        time.Advance(TimeSpan.FromMinutes(2));
        await WaitForKeysAsync(data, workspaceId, []);
        await job.StopAsync(CancellationToken.None);
    }

    private static async Task WaitForKeysAsync(CreditTestData data, Guid workspaceId, string[] expected)
    {
        for (var attempt = 0; attempt < 100 && !(await KeysAsync(data, workspaceId)).SequenceEqual(expected); attempt++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(expected, await KeysAsync(data, workspaceId));
    }

    private static async Task<List<string>> KeysAsync(CreditTestData data, Guid workspaceId)
    {
        await using var db = await data.Contexts.CreateDbContextAsync();
        return await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId).OrderBy(r => r.Key).Select(r => r.Key).ToListAsync();
    }
}
