using Datakeen.Portal.Credits;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class CreditMeterTests : ApiDocsTestContext
{
    [Theory]
    [InlineData(17, "success")]
    [InlineData(6, "success")]
    [InlineData(5, "warning")]
    [InlineData(1, "warning")]
    [InlineData(0, "error")]
    public void The_meter_reports_the_balance_and_changes_colour_as_credits_run_out(long balance, string colour)
    {
        Credits.Balance = balance;
        var tab = RenderTab();

        var meter = tab.Find("[role='progressbar'][aria-label='Test credits remaining']");
        Assert.Equal(balance.ToString(), meter.GetAttribute("aria-valuenow"));
        Assert.Equal("0", meter.GetAttribute("aria-valuemin"));
        Assert.Equal("20", meter.GetAttribute("aria-valuemax"));
        Assert.Contains($"mud-progress-linear-color-{colour}", meter.ClassList);
        Assert.Equal($"{balance} / 20", tab.Find("[data-testid='credit-meter-text']").TextContent);
    }

    [Theory]
    [InlineData(17, "-15%")]
    [InlineData(20, "-0%")]
    [InlineData(1, "-95%")]
    [InlineData(0, "-100%")]
    public void The_bar_fills_with_the_remaining_share_of_the_granted_credits(long balance, string translation)
    {
        Credits.Balance = balance;
        var tab = RenderTab();

        var bar = tab.Find("[role='progressbar'] .mud-progress-linear-bar");
        Assert.Equal($"transform: translateX({translation});", bar.GetAttribute("style"));
    }

    [Fact]
    public void The_meter_is_on_the_Test_card_only_and_says_the_credits_are_never_renewed()
    {
        var tab = RenderTab();

        var test = tab.Find("[role='region'][aria-label='Test environment']");
        var production = tab.Find("[role='region'][aria-label='Production environment']");
        Assert.Single(test.QuerySelectorAll("[role='progressbar']"));
        Assert.Empty(production.QuerySelectorAll("[role='progressbar']"));
        Assert.Contains("20 free test credits, never renewed", test.TextContent);
    }

    [Fact]
    public void The_history_lists_each_ledger_entry_with_its_change_and_balance_after()
    {
        var at = new DateTimeOffset(2026, 11, 20, 9, 30, 0, TimeSpan.Zero);
        Credits.History.Add(new LedgerLine(Guid.NewGuid(), at.AddDays(1), LedgerEntryType.Consume, -1, 19, "order-42"));
        Credits.History.Add(new LedgerLine(Guid.NewGuid(), at, LedgerEntryType.Grant, 20, 20, null));
        Credits.Balance = 19;
        var tab = RenderTab();

        var rows = tab.FindAll("[role='region'][aria-label='Test environment'] tbody tr")
            .Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).ToArray())
            .ToList();
        Assert.Equal(["21 Nov 2026 09:30", "\u22121", "19", "order-42"], rows[0]);
        Assert.Equal(["20 Nov 2026 09:30", "+20", "20", "Free test credits"], rows[1]);
    }

    [Fact]
    public void An_empty_history_says_so()
    {
        var tab = RenderTab();

        Assert.Contains("No credit activity yet.", tab.Find("[role='region'][aria-label='Test environment']").TextContent);
    }

    [Fact]
    public void Consumption_is_shown_with_a_minus_sign_whatever_sign_it_is_stored_with()
    {
        var positive = new LedgerLine(Guid.NewGuid(), DateTimeOffset.UtcNow, LedgerEntryType.Consume, 3, 14, null);

        Assert.Equal("\u22123", Datakeen.Portal.Components.Pages.ApiDocs.CreditHistory.Change(positive));
        Assert.Equal("\u22123", Datakeen.Portal.Components.Pages.ApiDocs.CreditHistory.Change(positive with { Amount = -3 }));
    }
}
