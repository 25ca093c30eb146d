using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Credits;

public sealed class CreditLedgerTests(PortalDatabaseFixture database) : CreditDatabaseTests(database)
{
    [Fact]
    public async Task A_new_workspace_has_20_test_credits_from_one_welcome_grant_and_no_production_credits()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();

        var grant = Assert.Single(await Data.EntriesAsync(workspaceId, KeyEnvironment.Test));
        Assert.True(grant.IsWelcomeGrant);
        Assert.Equal(LedgerEntryType.Grant, grant.Type);
        Assert.Equal(20, grant.Amount);
        Assert.Equal(20, grant.BalanceAfter);
        Assert.Equal(new CreditSummary(KeyEnvironment.Test, 20, 20, 0), await Data.SummaryAsync(workspaceId, KeyEnvironment.Test));
        Assert.Equal(new CreditSummary(KeyEnvironment.Production, 0, 0, 0),
            await Data.SummaryAsync(workspaceId, KeyEnvironment.Production));
        Assert.Empty(await Data.EntriesAsync(workspaceId, KeyEnvironment.Production));
    }

    [Fact]
    public async Task Two_parallel_welcome_grants_for_the_same_workspace_leave_exactly_one()
    {
        var workspaceId = await Data.CreateBareWorkspaceAsync();
        using var start = new Barrier(2);

        async Task<string> GrantAsync()
        {
            await using var db = await Data.Contexts.CreateDbContextAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            start.SignalAndWait();
            try
            {
                await Data.Welcome.GrantAsync(db, workspaceId);
                await transaction.CommitAsync();
                return "granted";
            }
            catch (DbUpdateException e) when (e.InnerException is PostgresException postgres)
            {
                return postgres.SqlState == PostgresErrorCodes.UniqueViolation ? "unique violation" : $"{postgres.SqlState}: {postgres.Message}";
            }
        }

        var outcomes = await Task.WhenAll(Task.Run(GrantAsync), Task.Run(GrantAsync));

        Assert.Equal(["granted", "unique violation"], outcomes.Order());
        Assert.Single(await Data.EntriesAsync(workspaceId, KeyEnvironment.Test), e => e.IsWelcomeGrant);
        Assert.Equal(20, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
    }

    [Fact]
    public async Task Consuming_debits_the_account_and_writes_one_entry_with_the_balance_after()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        var keyId = Guid.NewGuid();

        var result = await Data.Ledger.ConsumeAsync(
            new ConsumeCommand(workspaceId, KeyEnvironment.Test, 3, "job-42", "key-1", keyId,
                CreditTestData.HashOf(KeyEnvironment.Test, 3, "job-42"), "request-1"));

        Assert.Equal(ConsumeOutcome.Consumed, result.Outcome);
        Assert.Equal(17, result.Balance);
        var entry = Assert.Single(await Data.EntriesAsync(workspaceId, KeyEnvironment.Test), e => e.Type == LedgerEntryType.Consume);
        Assert.Equal(result.EntryId, entry.Id);
        Assert.Equal(-3, entry.Amount);
        Assert.Equal(17, entry.BalanceAfter);
        Assert.Equal("job-42", entry.Reference);
        Assert.Equal("key-1", entry.IdempotencyKey);
        Assert.Equal(keyId, entry.ActorApiKeyId);
        Assert.Equal(new CreditSummary(KeyEnvironment.Test, 17, 20, 3), await Data.SummaryAsync(workspaceId, KeyEnvironment.Test));
    }

    [Fact]
    public async Task Consuming_more_than_the_balance_is_refused_and_writes_nothing()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 15));

        var result = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 6));

        Assert.Equal(ConsumeOutcome.InsufficientCredits, result.Outcome);
        Assert.Null(result.EntryId);
        Assert.Equal(5, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
        Assert.Equal(2, (await Data.EntriesAsync(workspaceId, KeyEnvironment.Test)).Count);
    }

    [Fact]
    public async Task Production_starts_at_zero_and_is_never_fed_by_test_credits()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();

        var result = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Production));

        Assert.Equal(ConsumeOutcome.InsufficientCredits, result.Outcome);
        Assert.Equal(20, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
    }

    [Fact]
    public async Task Parallel_consumption_never_overspends_and_loses_no_entry()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => Task.Run(() =>
            Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: $"parallel-{i}")))));

        Assert.Equal(20, results.Count(r => r.Outcome == ConsumeOutcome.Consumed));
        Assert.Equal(80, results.Count(r => r.Outcome == ConsumeOutcome.InsufficientCredits));
        Assert.Equal(0, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
        Assert.Equal(20, (await Data.EntriesAsync(workspaceId, KeyEnvironment.Test)).Count(e => e.Type == LedgerEntryType.Consume));
        // Each successful consumer saw a distinct balance: no two debits were computed from the same value.
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (long)i).ToHashSet(),
            results.Where(r => r.Balance is not null).Select(r => r.Balance!.Value).ToHashSet());
        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, KeyEnvironment.Test);
    }

    [Fact]
    public async Task A_second_debit_with_the_same_idempotency_key_replays_the_first_and_debits_nothing()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        var first = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "once"));

        var second = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "once"));

        Assert.Equal((ConsumeOutcome.Replayed, first.Answer), (second.Outcome, second.Answer));
        Assert.Equal(19, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, KeyEnvironment.Test);
    }

    // Group commit: debits that arrive while a batch is in flight go together in the next one, each with its own
    // outcome, checked against the balance in arrival order.
    [Fact]
    public async Task Debits_queued_behind_a_batch_in_flight_go_in_one_batch_checked_in_arrival_order()
    {
        var blocker = await Data.CreateWorkspaceAsync();
        var workspaceId = await Data.CreateWorkspaceAsync();
        using var probe = new DebitBatchProbe(Data.Meters);
        var first = await HoldFirstBatchAsync(probe, blocker);

        // 20 credits: 15 fits, 10 no longer does, 5 still does; then the same key again (a replay inside the batch).
        var queued = await QueueAsync(probe,
            CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 15, key: "a"),
            CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 10, key: "b"),
            CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 5, key: "c"),
            CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 15, key: "a"),
            CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 1, key: "a"));
        await first.DisposeAsync();
        var results = await Task.WhenAll(queued);

        Assert.Equal([1, 5], probe.BatchSizes);
        Assert.Equal(
            [(ConsumeOutcome.Consumed, 5L), (ConsumeOutcome.InsufficientCredits, null), (ConsumeOutcome.Consumed, 0L),
                (ConsumeOutcome.Replayed, 5L), (ConsumeOutcome.KeyReused, null)],
            results.Select(r => (r.Outcome, r.Balance)).ToArray());
        Assert.Equal(results[0].Answer, results[3].Answer);
        Assert.Equal(0, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, KeyEnvironment.Test);
    }

    // The batch decides its debits' outcomes in one pass over running balances (credits_debit_batch): a refused
    // debit subtracts nothing, so what follows it is checked against the balance before it, per account, with
    // the accounts' debits interleaved in arrival order; a production debit (no credits there) is refused.
    [Fact]
    public async Task A_batch_folds_varying_amounts_per_account_in_arrival_order()
    {
        var blocker = await Data.CreateWorkspaceAsync();
        var a = await Data.CreateWorkspaceAsync();
        var b = await Data.CreateWorkspaceAsync();
        using var probe = new DebitBatchProbe(Data.Meters);
        var first = await HoldFirstBatchAsync(probe, blocker);

        var queued = await QueueAsync(probe,
            CreditTestData.Consume(a, KeyEnvironment.Test, 12, key: "a1"),
            CreditTestData.Consume(b, KeyEnvironment.Test, 9, key: "b1"),
            CreditTestData.Consume(a, KeyEnvironment.Test, 9, key: "a2"),
            CreditTestData.Consume(b, KeyEnvironment.Test, 11),
            CreditTestData.Consume(a, KeyEnvironment.Test, 8, key: "a3"),
            CreditTestData.Consume(a, KeyEnvironment.Production, 1, key: "a4"),
            CreditTestData.Consume(b, KeyEnvironment.Test, 1, key: "b2"));
        await first.DisposeAsync();
        var results = await Task.WhenAll(queued);

        Assert.Equal([1, 7], probe.BatchSizes);
        Assert.Equal(
            [(ConsumeOutcome.Consumed, 8L), (ConsumeOutcome.Consumed, 11L), (ConsumeOutcome.InsufficientCredits, null),
                (ConsumeOutcome.Consumed, 0L), (ConsumeOutcome.Consumed, 0L), (ConsumeOutcome.InsufficientCredits, null),
                (ConsumeOutcome.InsufficientCredits, null)],
            results.Select(r => (r.Outcome, r.Balance)).ToArray());
        Assert.Equal([-12L, -8L], (await Data.EntriesAsync(a, KeyEnvironment.Test))
            .Where(e => e.Type == LedgerEntryType.Consume).OrderByDescending(e => e.BalanceAfter).Select(e => e.Amount));
        Assert.Equal([8L, 0L], (await Data.EntriesAsync(a, KeyEnvironment.Test))
            .Where(e => e.Type == LedgerEntryType.Consume).OrderByDescending(e => e.BalanceAfter).Select(e => e.BalanceAfter));
        await Data.AssertBalanceMatchesLedgerAsync(a, KeyEnvironment.Test);
        await Data.AssertBalanceMatchesLedgerAsync(b, KeyEnvironment.Test);

        // The refusals are stored with their keys: a retry of a2 replays its 402 even though the balance moved.
        var retry = await Data.Ledger.ConsumeAsync(CreditTestData.Consume(a, KeyEnvironment.Test, 9, key: "a2"));
        Assert.Equal((ConsumeOutcome.Replayed, results[2].Answer), (retry.Outcome, retry.Answer));
    }

    [Fact]
    public async Task A_debit_that_fails_fails_no_other_debit_of_its_batch()
    {
        var blocker = await Data.CreateWorkspaceAsync();
        var workspaceId = await Data.CreateWorkspaceAsync();
        using var probe = new DebitBatchProbe(Data.Meters);
        var first = await HoldFirstBatchAsync(probe, blocker);

        // A reference longer than its column (the API refuses it before; the ledger does not check it) fails the
        // batch's statement.
        var queued = await QueueAsync(probe,
            CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 2, key: "before"),
            CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 3, key: "bad", reference: new string('r', 201)),
            CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 4, key: "after"));
        await first.DisposeAsync();

        Assert.Equal((ConsumeOutcome.Consumed, 18L), ((await queued[0]).Outcome, (await queued[0]).Balance));
        await Assert.ThrowsAsync<PostgresException>(() => queued[1]);
        Assert.Equal((ConsumeOutcome.Consumed, 14L), ((await queued[2]).Outcome, (await queued[2]).Balance));
        Assert.Equal(3, probe.BatchSizes[1]);
        await using (var db = await Data.Contexts.CreateDbContextAsync())
        {
            Assert.Equal(["after", "before"], await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspaceId)
                .OrderBy(r => r.Key).Select(r => r.Key).ToListAsync());
        }

        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, KeyEnvironment.Test);
    }

    // Starts a batch that waits for a row lock the test holds; disposing the result releases it.
    private async Task<AccountRowLock> HoldFirstBatchAsync(DebitBatchProbe probe, Guid blocker)
    {
        var held = await AccountRowLock.HoldAsync(Data.DataSource, blocker, "Test");
        _ = Data.Ledger.ConsumeAsync(CreditTestData.Consume(blocker, KeyEnvironment.Test, key: "blocker"));
        await probe.BatchesStartedAsync(1);
        return held;
    }

    // Queues the debits one after the other, so their order in the next batch is the order given.
    private async Task<Task<ConsumeResult>[]> QueueAsync(DebitBatchProbe probe, params ConsumeCommand[] commands)
    {
        var queued = new Task<ConsumeResult>[commands.Length];
        for (var i = 0; i < commands.Length; i++)
        {
            queued[i] = Data.Ledger.ConsumeAsync(commands[i]);
            await probe.WaitingAsync(i + 1);
        }

        return queued;
    }

    [Fact]
    public async Task An_operator_grant_credits_the_account_writes_a_grant_entry_and_an_audit_event()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();

        var balance = await Data.Ledger.GrantAsync(workspaceId, KeyEnvironment.Production, 100, "operator: ticket 12");

        Assert.Equal(100, balance);
        var grant = Assert.Single(await Data.EntriesAsync(workspaceId, KeyEnvironment.Production));
        Assert.Equal((LedgerEntryType.Grant, 100L, 100L, false, "operator: ticket 12"),
            (grant.Type, grant.Amount, grant.BalanceAfter, grant.IsWelcomeGrant, grant.ActorDescription));
        var audit = Assert.Single(await Data.AuditEventsAsync(workspaceId));
        Assert.Equal(AuditActions.CreditsGranted, audit.Action);
        Assert.Equal("operator: ticket 12", audit.ActorDescription);
        Assert.Equal(new CreditSummary(KeyEnvironment.Production, 100, 100, 0),
            await Data.SummaryAsync(workspaceId, KeyEnvironment.Production));
    }

    [Fact]
    public async Task A_grant_opens_the_account_when_workspace_creation_did_not()
    {
        var workspaceId = await Data.CreateBareWorkspaceAsync();

        Assert.Equal(7, await Data.Ledger.GrantAsync(workspaceId, KeyEnvironment.Production, 7, "operator"));
        Assert.Equal(12, await Data.Ledger.GrantAsync(workspaceId, KeyEnvironment.Production, 5, "operator"));

        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, KeyEnvironment.Production);
    }

    [Fact]
    public async Task History_lists_the_newest_entries_first()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 2, reference: "first"));
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, 3, reference: "second"));

        var member = await Data.MemberAsync(workspaceId);

        var history = await Data.Queries.GetHistoryAsync(workspaceId, member, KeyEnvironment.Test, 10);

        Assert.Equal([(-3L, 15L, "second"), (-2L, 18L, "first"), (20L, 20L, "Welcome test credits")],
            history!.Select(l => (l.Amount, l.BalanceAfter, l.Reference)).ToArray());
        Assert.Single((await Data.Queries.GetHistoryAsync(workspaceId, member, KeyEnvironment.Test, 1))!);
    }

    [Fact]
    public async Task The_portal_reads_credits_for_members_only()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        var member = await Data.MemberAsync(workspaceId);
        var outsider = await Data.MemberAsync(await Data.CreateWorkspaceAsync());

        Assert.Equal(new CreditSummary(KeyEnvironment.Test, 20, 20, 0),
            await Data.Queries.GetSummaryAsync(workspaceId, member, KeyEnvironment.Test));
        Assert.Null(await Data.Queries.GetSummaryAsync(workspaceId, outsider, KeyEnvironment.Test));
        Assert.Null(await Data.Queries.GetHistoryAsync(workspaceId, outsider, KeyEnvironment.Test, 10));
    }
}
