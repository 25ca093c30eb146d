using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class FakeCreditQueries : ICreditQueries
{
    public long Balance { get; set; } = 17;
    public long Granted { get; set; } = 20;
    public List<LedgerLine> History { get; } = [];
    public int SummaryCalls { get; private set; }

    public Task<CreditSummary> GetSummaryAsync(Guid workspaceId, KeyEnvironment environment, CancellationToken ct = default)
    {
        SummaryCalls++;
        return Task.FromResult(new CreditSummary(environment, Balance, Granted, Granted - Balance));
    }

    public Task<IReadOnlyList<LedgerLine>> GetHistoryAsync(Guid workspaceId, KeyEnvironment environment, int take,
        CancellationToken ct = default) =>
        Task.FromResult<IReadOnlyList<LedgerLine>>(History.Take(take).ToList());
}
