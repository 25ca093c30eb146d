using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;

namespace Datakeen.Portal.Credits;

// Reads of the credits. Every read names its caller and checks it: a portal user must be a member of the
// workspace (null otherwise, e.g. removed with the tab open); an API key reads its own environment only.
public interface ICreditQueries
{
    Task<CreditSummary?> GetSummaryAsync(Guid workspaceId, Actor actor, KeyEnvironment environment,
        CancellationToken ct = default);

    // The summary and the newest CreditViews.HistoryLength ledger lines, as every open tab of the workspace on
    // this instance shares them (one load per change), at most maxAge old; null for a non-member.
    Task<CreditView?> GetViewAsync(Guid workspaceId, Actor actor, KeyEnvironment environment, TimeSpan maxAge,
        CancellationToken ct = default);

    Task<IReadOnlyList<LedgerLine>?> GetHistoryAsync(Guid workspaceId, Actor actor, KeyEnvironment environment, int take,
        CancellationToken ct = default);

    // The balance of the key's own workspace and environment (GET /api/v1/credits).
    Task<CreditSummary> GetSummaryAsync(VerifiedKey key, CancellationToken ct = default);
}

public sealed record CreditSummary(KeyEnvironment Environment, long Balance, long Granted, long Consumed);

public sealed record LedgerLine(Guid Id, DateTimeOffset At, LedgerEntryType Type, long Amount, long BalanceAfter, string? Reference);
