using Datakeen.Portal.Components.Pages.ApiDocs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// Notifications are hints: the meter also reconciles with the ledger (every half ApiDocsTabState.ReconcileInterval,
// accepting a shared view at most half an interval old), so a lost notification delays it by at most that
// interval and never leaves it wrong.
public sealed class ReconcileTests : ApiDocsTestContext
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));

    public ReconcileTests() => Services.AddSingleton<TimeProvider>(_time);

    [Fact]
    public void A_dropped_credit_notification_is_caught_up_within_the_reconcile_interval()
    {
        var tab = RenderTab();
        // Debited elsewhere, and its notification is dropped on purpose: nothing is published on the feed.
        Credits.Balance = 9;

        _time.Advance(ApiDocsTabState.ReconcileInterval / 2 - TimeSpan.FromSeconds(1));
        Assert.Equal("17", tab.Find("[role='progressbar']").GetAttribute("aria-valuenow"));

        _time.Advance(ApiDocsTabState.ReconcileInterval / 2 + TimeSpan.FromSeconds(1));
        tab.WaitForAssertion(() =>
            Assert.Equal("9", tab.Find("[role='progressbar']").GetAttribute("aria-valuenow")));
        Assert.Equal("9 / 20", tab.Find("[data-testid='credit-meter-text']").TextContent);
    }

    [Fact]
    public void A_reconcile_accepts_the_shared_view_if_it_is_at_most_half_an_interval_old()
    {
        var tab = RenderTab();
        var viewCalls = Credits.ViewCalls;

        _time.Advance(ApiDocsTabState.ReconcileInterval / 2);

        // Half an interval old at most, checked every half interval: never stale for longer than the interval.
        tab.WaitForAssertion(() => Assert.Equal(viewCalls + 1, Credits.ViewCalls));
        Assert.Equal(ApiDocsTabState.ReconcileInterval / 2, Credits.LastMaxAge);
    }

    [Fact]
    public void A_reconcile_that_finds_the_ledger_unchanged_renders_nothing()
    {
        var tab = RenderTab();
        // bUnit counts a component's renders and its children's: the tab's count covers the meter too.
        var tabRenders = tab.RenderCount;
        var viewCalls = Credits.ViewCalls;

        _time.Advance(ApiDocsTabState.ReconcileInterval / 2);

        tab.WaitForAssertion(() => Assert.Equal(viewCalls + 1, Credits.ViewCalls));
        Assert.Equal(tabRenders, tab.RenderCount);
        Assert.Equal("17 / 20", tab.Find("[data-testid='credit-meter-text']").TextContent);
    }

    [Fact]
    public async Task No_reconcile_after_the_tab_is_gone()
    {
        RenderTab();
        await CloseTabAsync();
        var viewCalls = Credits.ViewCalls;

        _time.Advance(ApiDocsTabState.ReconcileInterval * 3);

        Assert.Equal(viewCalls, Credits.ViewCalls);
    }
}
