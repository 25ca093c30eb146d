using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Credits;

// What the tab shows of the credits: the meter and the ledger history.
public interface ICreditQueries
{
    Task<CreditSummary> GetSummaryAsync(Guid workspaceId, KeyEnvironment environment, CancellationToken ct = default);

    Task<IReadOnlyList<LedgerLine>> GetHistoryAsync(Guid workspaceId, KeyEnvironment environment, int take,
        CancellationToken ct = default);
}

public sealed record CreditSummary(KeyEnvironment Environment, long Balance, long Granted, long Consumed);

public sealed record LedgerLine(Guid Id, DateTimeOffset At, LedgerEntryType Type, long Amount, long BalanceAfter, string? Reference);
