using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Components.Pages.ApiDocs;
using Datakeen.Portal.Usage;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class KeyUsageChartTests : ApiDocsTestContext
{
    [Theory]
    [InlineData(new long[] { 0, 0, 0 }, "0 requests in the last 3 days")]
    [InlineData(new long[] { 0, 1, 0 }, "1 request in the last 3 days")]
    [InlineData(new long[] { 1000, 200, 0 }, "1,200 requests in the last 3 days")]
    [InlineData(new long[] { 1000, 200, 4 }, "1,204 requests in the last 3 days, 4 today")]
    public void The_summary_says_the_total_and_today(long[] requests, string summary) =>
        Assert.Equal(summary, KeyUsageChart.Summary(new KeyUsageSeries(new DateOnly(2031, 3, 1), requests)));

    [Fact]
    public void Each_key_row_shows_its_own_usage_as_text_and_a_chart_hidden_from_assistive_technology()
    {
        var secret = KeyManager.Keys.Single(k => k.Environment == KeyEnvironment.Test && k.Kind == KeyKind.Secret);
        var requests = new long[30];
        requests[^1] = 4;
        requests[0] = 1200;
        Usage.Requests[secret.Id] = requests;

        var tab = RenderTab();

        tab.WaitForAssertion(() =>
            Assert.Equal("1,204 requests in the last 30 days, 4 today", tab.Find("[data-testid='usage-test-secret']").TextContent.Trim()));
        Assert.Equal("0 requests in the last 30 days", tab.Find("[data-testid='usage-test-public']").TextContent.Trim());
        Assert.Equal("0 requests in the last 30 days", tab.Find("[data-testid='usage-production-secret']").TextContent.Trim());
        var chart = Assert.Single(tab.FindAll(".key-usage__chart"));
        Assert.Equal("true", chart.GetAttribute("aria-hidden"));
        Assert.NotEmpty(chart.QuerySelectorAll("svg"));
    }
}
