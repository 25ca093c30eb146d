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
    public void The_sample_tabs_and_environment_switch_are_disabled_until_the_page_script_wires_them()
    {
        var tab = RenderTab();

        var tabs = tab.FindAll("[role='tab']");
        Assert.Equal(["curl", "C#", "Python", "Node"], tabs.Select(t => t.TextContent.Trim()));
        var switches = tab.FindAll("[data-dk-sample-environment]");
        Assert.Equal(2, switches.Count);
        Assert.All(tabs.Concat(switches), control =>
        {
            Assert.True(control.HasAttribute("disabled"), control.OuterHtml);
            Assert.True(control.HasAttribute("data-dk-script-control"), control.OuterHtml);
        });
    }

    [Fact]
    public void Each_language_tab_controls_its_panel_and_the_first_is_shown_by_default()
    {
        var tab = RenderTab();

        var tabs = tab.FindAll("[role='tab']");
        Assert.Equal("true", tabs[0].GetAttribute("aria-selected"));
        Assert.Equal("0", tabs[0].GetAttribute("tabindex"));
        Assert.All(tabs.Skip(1), t => Assert.Equal("-1", t.GetAttribute("tabindex")));
        foreach (var t in tabs)
        {
            var panel = tab.Find($"#{t.GetAttribute("aria-controls")}");
            Assert.Equal("tabpanel", panel.GetAttribute("role"));
            Assert.Equal(t.Id, panel.GetAttribute("aria-labelledby"));
            Assert.Equal(t != tabs[0], panel.HasAttribute("hidden"));
        }
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
