using Datakeen.Portal.Components.Pages.ApiDocs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// Notifications are hints: the meter also reconciles with the ledger at ApiDocsTab.ReconcileInterval, so a
// lost notification delays it by at most that interval and never leaves it wrong.
public sealed class ReconcileTests : ApiDocsTestContext
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public ReconcileTests() => Services.AddSingleton<TimeProvider>(_time);

    [Fact]
    public void A_dropped_credit_notification_is_caught_up_by_the_next_reconcile()
    {
        var tab = RenderTab();
        // Debited elsewhere, and its notification is dropped on purpose: nothing is published on the feed.
        Credits.Balance = 9;

        _time.Advance(ApiDocsTab.ReconcileInterval - TimeSpan.FromSeconds(1));
        Assert.Equal("17", tab.Find("[role='progressbar']").GetAttribute("aria-valuenow"));

        _time.Advance(TimeSpan.FromSeconds(1));
        tab.WaitForAssertion(() =>
            Assert.Equal("9", tab.Find("[role='progressbar']").GetAttribute("aria-valuenow")));
        Assert.Equal("9 / 20", tab.Find("[data-testid='credit-meter-text']").TextContent);
    }

    [Fact]
    public void A_reconcile_that_finds_the_ledger_unchanged_reads_only_the_balance()
    {
        var tab = RenderTab();
        var summaryCalls = Credits.SummaryCalls;
        var historyCalls = Credits.HistoryCalls;

        _time.Advance(ApiDocsTab.ReconcileInterval);

        tab.WaitForAssertion(() => Assert.Equal(summaryCalls + 1, Credits.SummaryCalls));
        Assert.Equal(historyCalls, Credits.HistoryCalls);
        Assert.Equal("17 / 20", tab.Find("[data-testid='credit-meter-text']").TextContent);
    }

    [Fact]
    public async Task No_reconcile_after_the_tab_is_gone()
    {
        RenderTab();
        await DisposeComponentsAsync();
        var summaryCalls = Credits.SummaryCalls;

        _time.Advance(ApiDocsTab.ReconcileInterval * 3);

        Assert.Equal(summaryCalls, Credits.SummaryCalls);
    }
}
