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
    public int HistoryCalls { get; private set; }
    public int ViewCalls { get; private set; }

    // The maxAge of the last GetViewAsync: how fresh the tab asked the shared view to be.
    public TimeSpan? LastMaxAge { get; private set; }

    private CreditView? _view;

    // Set when the caller stopped being a member: the real service then answers null.
    public bool NotAMember { get; set; }

    public Task<CreditSummary?> GetSummaryAsync(Guid workspaceId, Actor actor, KeyEnvironment environment,
        CancellationToken ct = default)
    {
        SummaryCalls++;
        return Task.FromResult(NotAMember ? null : new CreditSummary(environment, Balance, Granted, Granted - Balance));
    }

    // Like CreditViews: the same instance while nothing changed.
    public Task<CreditView?> GetViewAsync(Guid workspaceId, Actor actor, KeyEnvironment environment, TimeSpan maxAge,
        CancellationToken ct = default)
    {
        ViewCalls++;
        LastMaxAge = maxAge;
        if (NotAMember)
        {
            return Task.FromResult<CreditView?>(null);
        }

        var summary = new CreditSummary(environment, Balance, Granted, Granted - Balance);
        if (_view is null || _view.Summary != summary || !_view.History.SequenceEqual(History))
        {
            _view = new CreditView(summary, History.Take(CreditViews.HistoryLength).ToList());
        }

        return Task.FromResult<CreditView?>(_view);
    }

    public Task<CreditSummary> GetSummaryAsync(VerifiedKey key, CancellationToken ct = default) =>
        throw new NotSupportedException("The tab never reads credits as an API key.");

    public Task<IReadOnlyList<LedgerLine>?> GetHistoryAsync(Guid workspaceId, Actor actor, KeyEnvironment environment, int take,
        CancellationToken ct = default)
    {
        HistoryCalls++;
        return Task.FromResult<IReadOnlyList<LedgerLine>?>(NotAMember ? null : History.Take(take).ToList());
    }
}
