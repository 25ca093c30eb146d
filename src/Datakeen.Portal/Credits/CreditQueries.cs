using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.Credits;

public sealed class CreditQueries(IDbContextFactory<PortalDbContext> contexts) : ICreditQueries
{
    // One statement, so the balance and the totals come from the same snapshot.
    private const string SummarySql =
        "SELECT a.balance, " +
        "COALESCE(SUM(e.amount) FILTER (WHERE e.type = 'Grant'), 0)::bigint, " +
        "COALESCE(-SUM(e.amount) FILTER (WHERE e.type = 'Consume'), 0)::bigint " +
        "FROM credit_accounts a LEFT JOIN credit_ledger_entries e ON e.account_id = a.id " +
        "WHERE a.workspace_id = $1 AND a.environment = $2 GROUP BY a.id, a.balance";

    public async Task<CreditSummary> GetSummaryAsync(Guid workspaceId, KeyEnvironment environment, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand(SummarySql, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid> { TypedValue = workspaceId },
                new NpgsqlParameter<string> { TypedValue = environment.ToString() },
            },
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        // A workspace without an account (none opened yet) simply has nothing.
        return await reader.ReadAsync(ct)
            ? new CreditSummary(environment, reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2))
            : new CreditSummary(environment, 0, 0, 0);
    }

    public async Task<IReadOnlyList<LedgerLine>> GetHistoryAsync(Guid workspaceId, KeyEnvironment environment, int take,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(take);
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.CreditLedgerEntries.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId && e.Environment == environment)
            .OrderByDescending(e => e.CreatedAt).ThenByDescending(e => e.Id)
            .Take(take)
            .Select(e => new LedgerLine(e.Id, e.CreatedAt, e.Type, e.Amount, e.BalanceAfter, e.Reference))
            .ToListAsync(ct);
    }
}
