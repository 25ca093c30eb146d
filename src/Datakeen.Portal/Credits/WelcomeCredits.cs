using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;

namespace Datakeen.Portal.Credits;

// Seam for workspace creation: opens the two credit accounts and grants the 20 welcome test credits
// inside the caller's transaction. The unique partial index on the welcome grant makes a second grant
// for the same workspace fail, whatever the code path.
public sealed class WelcomeCredits(TimeProvider time) : IWorkspaceProvisioning
{
    public const int TestCredits = 20;

    // Saves (within the caller's transaction, if any). No NOTIFY: nobody can be watching a workspace that
    // does not exist yet, and a NOTIFY outside a transaction would announce it before it commits.
    public Task ProvisionAsync(PortalDbContext db, Guid workspaceId, Guid? createdByUserId, CancellationToken ct) =>
        GrantAsync(db, workspaceId, ct);

    public async Task GrantAsync(PortalDbContext db, Guid workspaceId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        var test = OpenAccount(workspaceId, KeyEnvironment.Test, TestCredits, now);
        db.CreditAccounts.Add(test);
        db.CreditLedgerEntries.Add(new CreditLedgerEntry
        {
            Id = Guid.CreateVersion7(now),
            AccountId = test.Id,
            WorkspaceId = workspaceId,
            Environment = KeyEnvironment.Test,
            Type = LedgerEntryType.Grant,
            Amount = TestCredits,
            BalanceAfter = TestCredits,
            IsWelcomeGrant = true,
            Reference = "Welcome test credits",
            ActorDescription = "workspace creation",
            CreatedAt = now,
        });
        // Saved in two steps so the rows are always written in the same order (Test account first). EF Core
        // orders one batch's inserts by key, and random keys could make two racing grants lock the two
        // accounts in opposite orders: a deadlock instead of the clean unique violation.
        await db.SaveChangesAsync(ct);
        db.CreditAccounts.Add(OpenAccount(workspaceId, KeyEnvironment.Production, 0, now));
        await db.SaveChangesAsync(ct);
    }

    private static CreditAccount OpenAccount(Guid workspaceId, KeyEnvironment environment, long balance, DateTimeOffset now) => new()
    {
        Id = Guid.CreateVersion7(now),
        WorkspaceId = workspaceId,
        Environment = environment,
        Balance = balance,
        CreatedAt = now,
        UpdatedAt = now,
    };
}
