using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Foundation;

// Each rule (docs/architecture.md, "Where each rule lives") that the database enforces by itself, proved by trying to break it with
// plain EF Core writes that bypass the services.
public sealed class DatabaseRulesTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task A_second_active_key_for_the_same_workspace_environment_and_kind_is_refused()
    {
        var workspaceId = await CreateWorkspaceAsync();
        await using var db = database.CreateDbContext();
        db.ApiKeys.Add(NewKey(workspaceId, KeyEnvironment.Test, KeyKind.Secret));
        await db.SaveChangesAsync();

        db.ApiKeys.Add(NewKey(workspaceId, KeyEnvironment.Test, KeyKind.Secret));
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        var postgres = Assert.IsType<PostgresException>(error.InnerException);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, postgres.SqlState);
        Assert.Equal("ux_api_keys_one_active", postgres.ConstraintName);
    }

    [Fact]
    public async Task A_revoked_key_does_not_count_against_the_one_active_key_rule()
    {
        var workspaceId = await CreateWorkspaceAsync();
        await using var db = database.CreateDbContext();
        var old = NewKey(workspaceId, KeyEnvironment.Production, KeyKind.Secret);
        old.RevokedAt = DateTimeOffset.UtcNow;
        db.ApiKeys.Add(old);
        db.ApiKeys.Add(NewKey(workspaceId, KeyEnvironment.Production, KeyKind.Secret));

        await db.SaveChangesAsync();

        Assert.Equal(2, await db.ApiKeys.CountAsync(k => k.WorkspaceId == workspaceId));
    }

    [Fact]
    public async Task Two_keys_with_the_same_digest_are_refused()
    {
        var workspaceId = await CreateWorkspaceAsync();
        await using var db = database.CreateDbContext();
        var first = NewKey(workspaceId, KeyEnvironment.Test, KeyKind.Public);
        var second = NewKey(workspaceId, KeyEnvironment.Production, KeyKind.Public);
        second.Digest = first.Digest;
        db.ApiKeys.AddRange(first, second);

        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(error.InnerException).SqlState);
    }

    [Fact]
    public async Task A_balance_below_zero_is_refused_by_the_check_constraint()
    {
        var workspaceId = await CreateWorkspaceAsync();
        await using var db = database.CreateDbContext();
        db.CreditAccounts.Add(new CreditAccount { Id = Guid.NewGuid(), WorkspaceId = workspaceId, Environment = KeyEnvironment.Test, Balance = 1 });
        await db.SaveChangesAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => db.Database.ExecuteSqlAsync(
            $"UPDATE credit_accounts SET balance = balance - 2 WHERE workspace_id = {workspaceId}"));

        Assert.Equal(PostgresErrorCodes.CheckViolation, error.SqlState);
        Assert.Equal("ck_credit_accounts_balance_non_negative", error.ConstraintName);
        Assert.Equal(1, await db.CreditAccounts.Where(a => a.WorkspaceId == workspaceId).Select(a => a.Balance).SingleAsync());
    }

    [Fact]
    public async Task A_second_welcome_grant_for_a_workspace_is_refused()
    {
        var workspaceId = await CreateWorkspaceAsync();
        await using var db = database.CreateDbContext();
        var account = new CreditAccount { Id = Guid.NewGuid(), WorkspaceId = workspaceId, Environment = KeyEnvironment.Test, Balance = 20 };
        db.CreditAccounts.Add(account);
        db.CreditLedgerEntries.Add(WelcomeGrant(account));
        await db.SaveChangesAsync();

        db.CreditLedgerEntries.Add(WelcomeGrant(account));
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        var postgres = Assert.IsType<PostgresException>(error.InnerException);
        Assert.Equal(PostgresErrorCodes.UniqueViolation, postgres.SqlState);
        Assert.Equal("ux_credit_ledger_one_welcome_grant", postgres.ConstraintName);
    }

    [Fact]
    public async Task A_second_workspace_with_the_same_slug_is_refused()
    {
        var slug = $"dup-{Guid.NewGuid():N}"[..20];
        await using var db = database.CreateDbContext();
        db.Workspaces.Add(new Workspace { Id = Guid.NewGuid(), Name = "One", Slug = slug });
        await db.SaveChangesAsync();

        db.Workspaces.Add(new Workspace { Id = Guid.NewGuid(), Name = "Two", Slug = slug });
        var error = await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.Equal(PostgresErrorCodes.UniqueViolation, Assert.IsType<PostgresException>(error.InnerException).SqlState);
    }

    private static CreditLedgerEntry WelcomeGrant(CreditAccount account) => new()
    {
        Id = Guid.NewGuid(),
        AccountId = account.Id,
        WorkspaceId = account.WorkspaceId,
        Environment = KeyEnvironment.Test,
        Type = LedgerEntryType.Grant,
        Amount = 20,
        BalanceAfter = 20,
        IsWelcomeGrant = true,
    };

    private static ApiKey NewKey(Guid workspaceId, KeyEnvironment environment, KeyKind kind) => new()
    {
        Id = Guid.NewGuid(),
        WorkspaceId = workspaceId,
        Environment = environment,
        Kind = kind,
        Digest = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32),
        Prefix = "dk_test_sk_",
        LastFour = "AbCd",
    };

    private async Task<Guid> CreateWorkspaceAsync()
    {
        await using PortalDbContext db = database.CreateDbContext();
        var workspace = new Workspace { Id = Guid.NewGuid(), Name = "Rules", Slug = $"rules-{Guid.NewGuid():N}"[..20] };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        return workspace.Id;
    }
}
