using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Credits;

// The stored answers: written by the ledger's debit statement itself, read back for replays.
public sealed class IdempotencyStoreTests(PortalDatabaseFixture database) : CreditDatabaseTests(database)
{
    private static readonly byte[] OneCredit = IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 1, null);
    private static readonly byte[] TwoCredits = IdempotencyStore.HashRequest("POST", "/api/v1/credits/consume", "test", 2, null);

    private static readonly IdempotentAnswer Answers = AnswersFor(OneCredit);

    [Fact]
    public async Task The_debit_stores_its_answer_and_a_second_use_of_the_key_is_refused_having_written_nothing()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        Assert.Equal(IdempotencyLookupOutcome.Unanswered, (await Data.Idempotency.FindAsync(workspaceId, "k", OneCredit)).Outcome);

        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "k"), Answers);
        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "k"), Answers));

        Assert.True(CreditLedger.IsKeyAlreadyUsed(error));
        var replay = await Data.Idempotency.FindAsync(workspaceId, "k", OneCredit);
        Assert.Equal(IdempotencyLookupOutcome.Completed, replay.Outcome);
        Assert.Equal(new StoredResponse(201, """{"balance":19}"""), replay.Response);
        Assert.Equal(19, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, KeyEnvironment.Test);
    }

    [Fact]
    public async Task The_same_key_with_a_different_request_is_reused_after_a_success_or_a_refusal()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "ok"), Answers);
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Production, key: "refused"), Answers);

        Assert.Equal(IdempotencyLookupOutcome.Reused, (await Data.Idempotency.FindAsync(workspaceId, "ok", TwoCredits)).Outcome);
        Assert.Equal(IdempotencyLookupOutcome.Reused, (await Data.Idempotency.FindAsync(workspaceId, "refused", TwoCredits)).Outcome);
    }

    [Fact]
    public async Task Keys_are_scoped_to_their_workspace()
    {
        var first = await Data.CreateWorkspaceAsync();
        var second = await Data.CreateWorkspaceAsync();

        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(first, KeyEnvironment.Test, key: "shared"), Answers);
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(second, KeyEnvironment.Test, 2, key: "shared"), AnswersFor(TwoCredits));

        Assert.Equal(IdempotencyLookupOutcome.Completed, (await Data.Idempotency.FindAsync(first, "shared", OneCredit)).Outcome);
        Assert.Equal(IdempotencyLookupOutcome.Completed, (await Data.Idempotency.FindAsync(second, "shared", TwoCredits)).Outcome);
        Assert.Equal((19L, 18L), (await Data.BalanceAsync(first, KeyEnvironment.Test), await Data.BalanceAsync(second, KeyEnvironment.Test)));
    }

    [Fact]
    public async Task A_stored_refusal_still_refuses_the_key_once_credits_arrived_and_nothing_is_debited()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();

        var result = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Production, key: "k"), Answers);
        await Data.Ledger.GrantAsync(workspaceId, KeyEnvironment.Production, 5, "operator");
        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Production, key: "k"), Answers));

        Assert.Equal(ConsumeOutcome.InsufficientCredits, result.Outcome);
        // The second statement did debit, then its answer hit the record's key: the whole statement rolled back.
        Assert.True(CreditLedger.IsKeyAlreadyUsed(error));
        Assert.Equal(Answers.Refused, (await Data.Idempotency.FindAsync(workspaceId, "k", OneCredit)).Response);
        Assert.Equal(5, await Data.BalanceAsync(workspaceId, KeyEnvironment.Production));
        Assert.DoesNotContain(await Data.EntriesAsync(workspaceId, KeyEnvironment.Production), e => e.Type == LedgerEntryType.Consume);
    }

    [Theory]
    [InlineData(KeyEnvironment.Test)]
    [InlineData(KeyEnvironment.Production)]
    public async Task Of_parallel_statements_with_the_same_key_one_stores_its_answer_and_the_others_are_refused_having_written_nothing(
        KeyEnvironment environment)
    {
        // Test: 20 credits, every statement could debit; production: 0 credits, every one is a 402.
        var workspaceId = await Data.CreateWorkspaceAsync();

        var attempts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            try
            {
                return (Result: (ConsumeResult?)await Data.Ledger.ConsumeAsync(
                    CreditTestData.Consume(workspaceId, environment, key: "race"), Answers), Error: (PostgresException?)null);
            }
            catch (PostgresException e)
            {
                return (Result: (ConsumeResult?)null, Error: (PostgresException?)e);
            }
        })));

        var winner = Assert.Single(attempts, a => a.Result is not null).Result!;
        Assert.All(attempts.Where(a => a.Result is null), a => Assert.True(CreditLedger.IsKeyAlreadyUsed(a.Error!)));
        var stored = await Data.Idempotency.FindAsync(workspaceId, "race", OneCredit);
        if (environment == KeyEnvironment.Test)
        {
            Assert.Equal(ConsumeOutcome.Consumed, winner.Outcome);
            Assert.Equal(new StoredResponse(201, """{"balance":19}"""), stored.Response);
            Assert.Single(await Data.EntriesAsync(workspaceId, environment), e => e.Type == LedgerEntryType.Consume);
        }
        else
        {
            Assert.Equal(ConsumeOutcome.InsufficientCredits, winner.Outcome);
            Assert.Equal(Answers.Refused, stored.Response);
            Assert.Empty(await Data.EntriesAsync(workspaceId, environment));
        }

        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, environment);
    }

    [Fact]
    public async Task A_key_without_an_answer_to_replay_is_unanswered()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        // A claim as the previous version of the portal left it while its request was running.
        await using (var db = await Data.Contexts.CreateDbContextAsync())
        {
            db.IdempotencyRecords.Add(new IdempotencyRecord { WorkspaceId = workspaceId, Key = "claimed", RequestHash = OneCredit, CreatedAt = DateTimeOffset.UtcNow });
            await db.SaveChangesAsync();
        }

        // A debit whose record has been purged: the ledger's index still knows the key.
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "purged"));
        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "purged"), Answers));

        Assert.True(CreditLedger.IsKeyAlreadyUsed(error));
        Assert.Equal(IdempotencyLookupOutcome.Unanswered, (await Data.Idempotency.FindAsync(workspaceId, "claimed", OneCredit)).Outcome);
        Assert.Equal(IdempotencyLookupOutcome.Unanswered, (await Data.Idempotency.FindAsync(workspaceId, "purged", OneCredit)).Outcome);
        Assert.Equal(19, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
    }

    [Fact]
    public async Task Purging_deletes_records_older_than_24_hours_only()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var data = WithTime(time);
        var workspaceId = await data.CreateWorkspaceAsync();
        await data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "old"), Answers);
        time.Advance(TimeSpan.FromHours(1));
        await data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "recent"), Answers);
        time.Advance(TimeSpan.FromHours(23) + TimeSpan.FromSeconds(1));

        await data.Idempotency.PurgeAsync();

        await using var db = await data.Contexts.CreateDbContextAsync();
        Assert.Equal(["recent"], await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId).Select(r => r.Key).ToListAsync());
    }

    private static IdempotentAnswer AnswersFor(byte[] requestHash) =>
        new(requestHash, """{"balance":""", "}", new StoredResponse(402, """{"code":"refused"}"""));
}
