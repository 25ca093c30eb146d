using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Credits;

public sealed class CreditQueries(IDbContextFactory<PortalDbContext> contexts, CreditViews views, WorkspaceGuard guard)
    : ICreditQueries
{
    public Task<CreditView?> GetViewAsync(Guid workspaceId, Actor actor, KeyEnvironment environment, TimeSpan maxAge,
        CancellationToken ct = default) =>
        views.GetAsync(workspaceId, actor, environment, maxAge, ct);

    public async Task<CreditSummary?> GetSummaryAsync(Guid workspaceId, Actor actor, KeyEnvironment environment,
        CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Member, ct)).IsAllowed
            ? await SummaryAsync(db, workspaceId, environment, ct)
            : null;
    }

    public async Task<CreditSummary> GetSummaryAsync(VerifiedKey key, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await SummaryAsync(db, key.WorkspaceId, key.Environment, ct);
    }

    public async Task<IReadOnlyList<LedgerLine>?> GetHistoryAsync(Guid workspaceId, Actor actor, KeyEnvironment environment,
        int take, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!(await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Member, ct)).IsAllowed)
        {
            return null;
        }

        return await HistoryAsync(db, workspaceId, environment, take, ct);
    }

    internal static async Task<IReadOnlyList<LedgerLine>> HistoryAsync(PortalDbContext db, Guid workspaceId,
        KeyEnvironment environment, int take, CancellationToken ct) =>
        await db.CreditLedgerEntries.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId && e.Environment == environment)
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
            .Take(take)
            .Select(e => new LedgerLine(e.Id, e.CreatedAt, e.Type, e.Amount, e.BalanceAfter, e.Reference))
            .ToListAsync(ct);

    // One statement (the totals are subqueries), so the balance and the totals come from the same snapshot.
    internal static async Task<CreditSummary> SummaryAsync(PortalDbContext db, Guid workspaceId, KeyEnvironment environment,
        CancellationToken ct)
    {
        var row = await db.CreditAccounts.AsNoTracking()
            .Where(a => a.WorkspaceId == workspaceId && a.Environment == environment)
            .Select(a => new
            {
                a.Balance,
                Granted = db.CreditLedgerEntries
                    .Where(e => e.AccountId == a.Id && e.Type == LedgerEntryType.Grant).Sum(e => (long?)e.Amount) ?? 0,
                Consumed = -(db.CreditLedgerEntries
                    .Where(e => e.AccountId == a.Id && e.Type == LedgerEntryType.Consume).Sum(e => (long?)e.Amount) ?? 0),
            })
            .SingleOrDefaultAsync(ct);
        // A workspace without an account (none opened yet) simply has nothing.
        return row is null
            ? new CreditSummary(environment, 0, 0, 0)
            : new CreditSummary(environment, row.Balance, row.Granted, row.Consumed);
    }
}
