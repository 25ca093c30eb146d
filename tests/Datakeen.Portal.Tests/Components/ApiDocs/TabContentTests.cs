namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class TabContentTests : ApiDocsTestContext
{
    [Fact]
    public void The_tab_shows_the_three_tips()
    {
        var tab = RenderTab();

        var tips = tab.FindAll(".mud-alert").Select(a => a.TextContent).ToList();
        Assert.Contains(tips, t => t.Contains("environment variable or a secrets manager"));
        Assert.Contains(tips, t => t.Contains("CI/CD"));
        Assert.Contains(tips, t => t.Contains("public key only"));
    }

    [Fact]
    public void Before_the_circuit_is_interactive_the_sample_tabs_and_environment_toggle_are_disabled()
    {
        Interactive = false;

        var tab = RenderTab();

        Assert.Equal("true", tab.Find(".mud-tabs").GetAttribute("aria-disabled"));
        var toggles = tab.FindAll(".mud-toggle-item");
        Assert.Equal(2, toggles.Count);
        Assert.All(toggles, item =>
            Assert.True(item.HasAttribute("disabled") || item.ClassList.Contains("mud-disabled"), item.OuterHtml));
    }

    [Fact]
    public void On_a_connected_circuit_the_sample_tabs_are_enabled()
    {
        var tab = RenderTab();

        Assert.Null(tab.Find(".mud-tabs").GetAttribute("aria-disabled"));
    }

    [Fact]
    public void The_Docs_link_points_to_the_API_reference()
    {
        var tab = RenderTab();

        var docs = tab.FindAll("a").Single(a => a.TextContent.Trim() == "Docs");
        Assert.Equal("/docs", docs.GetAttribute("href"));
    }

    [Fact]
    public void The_curl_sample_reads_the_secret_from_the_environment_and_calls_whoami_on_the_portal()
    {
        var tab = RenderTab();

        var sample = tab.Find("[data-testid='code-sample-curl']").TextContent;
        Assert.Contains("Authorization: Bearer $DATAKEEN_SECRET_KEY", sample);
        Assert.Contains("http://localhost/api/v1/whoami", sample);
        Assert.Contains("dk_test_sk_", sample);
    }
}
