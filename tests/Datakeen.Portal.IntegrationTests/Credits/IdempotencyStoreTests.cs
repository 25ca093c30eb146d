using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.Credits;

// Idempotency-Keys: claimed, and completed with the structured outcome, by the ledger's debit statement itself.
public sealed class IdempotencyStoreTests(PortalDatabaseFixture database) : CreditDatabaseTests(database)
{
    [Fact]
    public async Task The_debit_stores_its_outcome_and_a_second_use_of_the_key_replays_it_having_written_nothing()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();

        var first = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "k", requestId: "first"));
        var second = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "k", requestId: "second"));

        Assert.Equal(ConsumeOutcome.Consumed, first.Outcome);
        Assert.Equal(ConsumeOutcome.Replayed, second.Outcome);
        Assert.Equal(new ConsumeAnswer(201, first.EntryId, 19, "first"), first.Answer);
        Assert.Equal(first.Answer, second.Answer);
        var record = await RecordAsync(workspaceId, "k");
        Assert.Equal((201, first.EntryId, 19L, "first"), (record.ResponseStatus, record.EntryId, record.Balance, record.RequestId));
        Assert.Equal(19, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, KeyEnvironment.Test);
    }

    [Fact]
    public async Task The_same_key_with_a_different_request_is_reused_after_a_success_or_a_refusal()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "ok"));
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Production, key: "refused"));

        var afterSuccess = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 2, key: "ok"));
        var afterRefusal = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Production, 2, key: "refused"));

        Assert.Equal((ConsumeOutcome.KeyReused, ConsumeOutcome.KeyReused), (afterSuccess.Outcome, afterRefusal.Outcome));
        Assert.Equal(19, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
    }

    [Fact]
    public async Task Keys_are_scoped_to_their_workspace()
    {
        var first = await Data.CreateWorkspaceAsync();
        var second = await Data.CreateWorkspaceAsync();

        var one = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(first, KeyEnvironment.Test, key: "shared"));
        var two = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(second, KeyEnvironment.Test, 2, key: "shared"));

        Assert.Equal((ConsumeOutcome.Consumed, ConsumeOutcome.Consumed), (one.Outcome, two.Outcome));
        Assert.Equal((19L, 18L), (await Data.BalanceAsync(first, KeyEnvironment.Test), await Data.BalanceAsync(second, KeyEnvironment.Test)));
    }

    [Fact]
    public async Task A_stored_refusal_still_refuses_the_key_once_credits_arrived_and_nothing_is_debited()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();

        var refused = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Production, key: "k", requestId: "r1"));
        await Data.Ledger.GrantAsync(workspaceId, KeyEnvironment.Production, 5, "operator");
        var replay = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Production, key: "k", requestId: "r2"));

        Assert.Equal(ConsumeOutcome.InsufficientCredits, refused.Outcome);
        Assert.Equal(new ConsumeAnswer(402, null, null, "r1"), refused.Answer);
        Assert.Equal(ConsumeOutcome.Replayed, replay.Outcome);
        Assert.Equal(refused.Answer, replay.Answer);
        Assert.Equal(5, await Data.BalanceAsync(workspaceId, KeyEnvironment.Production));
        Assert.DoesNotContain(await Data.EntriesAsync(workspaceId, KeyEnvironment.Production), e => e.Type == LedgerEntryType.Consume);
    }

    [Theory]
    [InlineData(KeyEnvironment.Test)]
    [InlineData(KeyEnvironment.Production)]
    public async Task Of_parallel_debits_with_the_same_key_one_stores_its_outcome_and_the_others_replay_it(KeyEnvironment environment)
    {
        // Test: 20 credits, every debit could succeed; production: 0 credits, every one is a 402.
        var workspaceId = await Data.CreateWorkspaceAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() =>
            Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, environment, key: "race")))));

        var first = Assert.Single(results, r => r.Outcome != ConsumeOutcome.Replayed);
        Assert.All(results, r => Assert.Equal(first.Answer, r.Answer));
        if (environment == KeyEnvironment.Test)
        {
            Assert.Equal((ConsumeOutcome.Consumed, 19L), (first.Outcome, first.Balance!.Value));
            Assert.Single(await Data.EntriesAsync(workspaceId, environment), e => e.Type == LedgerEntryType.Consume);
        }
        else
        {
            Assert.Equal(ConsumeOutcome.InsufficientCredits, first.Outcome);
            Assert.Empty(await Data.EntriesAsync(workspaceId, environment));
        }

        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, environment);
    }

    [Fact]
    public async Task A_key_without_an_answer_to_replay_is_in_flight_and_debits_nothing()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        // A claim as the previous version of the portal left it while its request was running.
        await using (var db = await Data.Contexts.CreateDbContextAsync())
        {
            db.IdempotencyRecords.Add(new IdempotencyRecord
            {
                WorkspaceId = workspaceId, Key = "claimed", RequestHash = CreditTestData.HashOf(KeyEnvironment.Test, 1),
                CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        // A debit whose record has been purged: the ledger still knows the key.
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "purged"));
        await using (var db = await Data.Contexts.CreateDbContextAsync())
        {
            await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId && r.Key == "purged").ExecuteDeleteAsync();
        }

        var claimed = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "claimed"));
        var purged = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "purged"));

        Assert.Equal((ConsumeOutcome.KeyInFlight, ConsumeOutcome.KeyInFlight), (claimed.Outcome, purged.Outcome));
        Assert.Equal(19, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
        await using (var db = await Data.Contexts.CreateDbContextAsync())
        {
            Assert.False(await db.IdempotencyRecords.AnyAsync(r => r.WorkspaceId == workspaceId && r.Key == "purged"));
        }
    }

    [Fact]
    public async Task Purging_deletes_records_older_than_24_hours_only()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var data = WithTime(time);
        var workspaceId = await data.CreateWorkspaceAsync();
        await data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "old"));
        time.Advance(TimeSpan.FromHours(1));
        await data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "recent"));
        time.Advance(TimeSpan.FromHours(23) + TimeSpan.FromSeconds(1));

        await data.Idempotency.PurgeAsync();

        await using var db = await data.Contexts.CreateDbContextAsync();
        Assert.Equal(["recent"], await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId).Select(r => r.Key).ToListAsync());
    }

    private async Task<IdempotencyRecord> RecordAsync(Guid workspaceId, string key)
    {
        await using var db = await Data.Contexts.CreateDbContextAsync();
        return await db.IdempotencyRecords.AsNoTracking().SingleAsync(r => r.WorkspaceId == workspaceId && r.Key == key);
    }
}
