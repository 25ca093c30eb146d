using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.Credits;

public sealed class IdempotencyStoreTests(PortalDatabaseFixture database) : CreditDatabaseTests(database)
{
    private static readonly byte[] OneCredit = IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 1, null);
    private static readonly byte[] TwoCredits = IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 2, null);

    private static readonly IdempotentAnswer Answers = new("""{"balance":""", "}", new StoredResponse(402, """{"code":"refused"}"""));

    [Fact]
    public async Task The_first_claim_wins_and_a_duplicate_is_in_flight_until_the_answer_is_stored()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();

        Assert.Equal(IdempotencyClaimOutcome.Claimed, (await Data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit)).Outcome);
        Assert.Equal(IdempotencyClaimOutcome.InFlight, (await Data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit)).Outcome);

        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "k"), Answers);

        var replay = await Data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit);
        Assert.Equal(IdempotencyClaimOutcome.Completed, replay.Outcome);
        Assert.Equal(new StoredResponse(201, """{"balance":19}"""), replay.Response);
    }

    [Fact]
    public async Task The_same_key_with_a_different_request_is_refused_in_flight_or_completed()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        await Data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit);

        Assert.Equal(IdempotencyClaimOutcome.Reused, (await Data.Idempotency.ClaimAsync(workspaceId, "k", TwoCredits)).Outcome);
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "k"), Answers);
        Assert.Equal(IdempotencyClaimOutcome.Reused, (await Data.Idempotency.ClaimAsync(workspaceId, "k", TwoCredits)).Outcome);
    }

    [Fact]
    public async Task Keys_are_scoped_to_their_workspace()
    {
        var first = await Data.CreateWorkspaceAsync();
        var second = await Data.CreateWorkspaceAsync();

        Assert.Equal(IdempotencyClaimOutcome.Claimed, (await Data.Idempotency.ClaimAsync(first, "shared", OneCredit)).Outcome);
        Assert.Equal(IdempotencyClaimOutcome.Claimed, (await Data.Idempotency.ClaimAsync(second, "shared", TwoCredits)).Outcome);
    }

    [Fact]
    public async Task A_refusal_is_stored_with_nothing_debited()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        await Data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit);

        var result = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Production, key: "k"), Answers);

        Assert.Equal(ConsumeOutcome.InsufficientCredits, result.Outcome);
        Assert.Equal(Answers.Refused, (await Data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit)).Response);
        Assert.Empty(await Data.EntriesAsync(workspaceId, KeyEnvironment.Production));
    }

    [Fact]
    public async Task A_released_claim_can_be_claimed_again_but_a_completed_one_cannot_be_released()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        await Data.Idempotency.ClaimAsync(workspaceId, "failed", OneCredit);
        await Data.Idempotency.ReleaseAsync(workspaceId, "failed");
        Assert.Equal(IdempotencyClaimOutcome.Claimed, (await Data.Idempotency.ClaimAsync(workspaceId, "failed", OneCredit)).Outcome);

        await Data.Idempotency.ClaimAsync(workspaceId, "done", OneCredit);
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "done"), Answers);
        await Data.Idempotency.ReleaseAsync(workspaceId, "done");
        Assert.Equal(IdempotencyClaimOutcome.Completed, (await Data.Idempotency.ClaimAsync(workspaceId, "done", OneCredit)).Outcome);
    }

    [Fact]
    public async Task An_abandoned_claim_is_taken_over_after_a_minute()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var data = WithTime(time);
        var workspaceId = await data.CreateWorkspaceAsync();
        await data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit);

        time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(IdempotencyClaimOutcome.InFlight, (await data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit)).Outcome);
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(IdempotencyClaimOutcome.Claimed, (await data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit)).Outcome);
        Assert.Equal(IdempotencyClaimOutcome.InFlight, (await data.Idempotency.ClaimAsync(workspaceId, "k", OneCredit)).Outcome);
    }

    [Fact]
    public async Task Purging_deletes_records_older_than_24_hours_only()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var data = WithTime(time);
        var workspaceId = await data.CreateWorkspaceAsync();
        await data.Idempotency.ClaimAsync(workspaceId, "old", OneCredit);
        time.Advance(TimeSpan.FromHours(1));
        await data.Idempotency.ClaimAsync(workspaceId, "recent", OneCredit);
        time.Advance(TimeSpan.FromHours(23) + TimeSpan.FromSeconds(1));

        await data.Idempotency.PurgeAsync();

        await using var db = await data.Contexts.CreateDbContextAsync();
        Assert.Equal(["recent"], await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId).Select(r => r.Key).ToListAsync());
    }
}
