using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Credits;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class FakeCreditQueries : ICreditQueries
{
    public long Balance { get; set; } = 17;
    public long Granted { get; set; } = 20;
    public List<LedgerLine> History { get; } = [];
    public int SummaryCalls { get; private set; }

    // Set when the caller stopped being a member: the real service then answers null.
    public bool NotAMember { get; set; }

    public Task<CreditSummary?> GetSummaryAsync(Guid workspaceId, Actor actor, KeyEnvironment environment,
        CancellationToken ct = default)
    {
        SummaryCalls++;
        return Task.FromResult(NotAMember ? null : new CreditSummary(environment, Balance, Granted, Granted - Balance));
    }

    public Task<CreditSummary> GetSummaryAsync(VerifiedKey key, CancellationToken ct = default) =>
        throw new NotSupportedException("The tab never reads credits as an API key.");

    public Task<IReadOnlyList<LedgerLine>?> GetHistoryAsync(Guid workspaceId, Actor actor, KeyEnvironment environment, int take,
        CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<LedgerLine>?>(NotAMember ? null : History.Take(take).ToList());
}
