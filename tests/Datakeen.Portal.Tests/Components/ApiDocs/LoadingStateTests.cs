using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class LoadingStateTests : ApiDocsTestContext
{
    [Fact]
    public void Skeletons_are_shown_while_the_keys_load()
    {
        KeyManager.ListGate = new TaskCompletionSource();
        var tab = RenderTab();

        Assert.NotEmpty(tab.FindAll(".mud-skeleton"));
        Assert.Empty(tab.FindAll("[data-testid^='key-']"));

        KeyManager.ListGate.SetResult();

        tab.WaitForAssertion(() => Assert.Equal(4, tab.FindAll("[data-testid^='key-']").Count));
    }

    [Fact]
    public void A_load_failure_shows_a_friendly_alert_with_retry_that_recovers()
    {
        KeyManager.ListFailure = new InvalidOperationException("database unavailable");
        var tab = RenderTab();

        var alert = tab.Find("[role='alert']");
        Assert.Contains("We couldn't load your keys right now.", alert.TextContent);
        Assert.DoesNotContain("database unavailable", tab.Markup);

        KeyManager.ListFailure = null;
        tab.FindAll("button").Single(b => b.TextContent.Trim() == "Retry").Click();

        tab.WaitForAssertion(() => Assert.Equal(
            KeyManager.Key(KeyEnvironment.Test, KeyKind.Public).MaskedValue,
            tab.Find("[data-testid='key-test-public']").TextContent));
        Assert.Empty(tab.FindAll("[role='alert']"));
    }
}
