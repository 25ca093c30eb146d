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
            new ConsumeCommand(workspaceId, KeyEnvironment.Test, 3, "job-42", "key-1", keyId));

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
    public async Task A_second_entry_with_the_same_idempotency_key_is_refused_by_the_database_and_debits_nothing()
    {
        var workspaceId = await Data.CreateWorkspaceAsync();
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "once"));

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaceId, KeyEnvironment.Test, key: "once")));

        Assert.Equal("ux_credit_ledger_idempotency", error.ConstraintName);
        Assert.Equal(19, await Data.BalanceAsync(workspaceId, KeyEnvironment.Test));
        await Data.AssertBalanceMatchesLedgerAsync(workspaceId, KeyEnvironment.Test);
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
