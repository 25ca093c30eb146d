using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class KeyExposureAlertTests : ApiDocsTestContext
{
    private const string Url = "https://github.com/someone/app/blob/main/.env";

    [Fact]
    public void An_exposed_key_shows_an_alert_with_the_url_and_the_rotate_action_beside_it()
    {
        var key = KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret);
        KeyManager.Expose(key, new KeyExposure(KeyExposureKind.Exposed, Url, DateTimeOffset.UtcNow));
        var (dialogs, tab) = RenderTabWithDialogs();

        var alert = tab.Find("[data-testid='key-production-secret-exposed']");
        Assert.Equal("alert", alert.GetAttribute("role"));
        Assert.Contains("found in public", alert.TextContent);
        Assert.Contains(Url, alert.TextContent);
        var rotate = alert.QuerySelector("button[aria-label='Rotate exposed production secret key']");
        Assert.NotNull(rotate);
        Assert.Single(tab.FindAll("[role='alert']"), a => a.TextContent.Contains("found in public"));

        tab.Find("[data-testid='key-production-secret-exposed'] button[aria-label='Rotate exposed production secret key']").Click();

        dialogs.WaitForAssertion(() => Assert.Contains("Rotate production secret key?", dialogs.Markup));
    }

    [Fact]
    public void Members_see_the_alert_without_the_rotate_action()
    {
        var key = KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret);
        KeyManager.Expose(key, new KeyExposure(KeyExposureKind.Exposed, Url, DateTimeOffset.UtcNow));

        var tab = RenderTab(isAdmin: false);

        var alert = tab.Find("[data-testid='key-production-secret-exposed']");
        Assert.Contains(Url, alert.TextContent);
        Assert.Null(alert.QuerySelector("button"));
    }

    [Fact]
    public void A_key_that_replaced_a_leaked_one_says_so()
    {
        var key = KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret);
        KeyManager.Expose(key, new KeyExposure(KeyExposureKind.ReplacedAfterLeak, Url, DateTimeOffset.UtcNow));

        var tab = RenderTab();

        var note = tab.Find("[data-testid='key-test-secret-replaced-after-leak']");
        Assert.Contains("replaced the previous one because it leaked", note.TextContent);
        Assert.Contains(Url, note.TextContent);
        Assert.DoesNotContain(tab.FindAll("[role='alert']"), a => a.TextContent.Contains("found in public"));
    }

    [Fact]
    public void Keys_without_a_finding_show_nothing_about_leaks()
    {
        var tab = RenderTab();

        Assert.DoesNotContain("found in public", tab.Markup);
        Assert.DoesNotContain("because it leaked", tab.Markup);
    }
}
