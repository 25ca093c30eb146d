using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class LoadingStateTests : ApiDocsTestContext
{
    [Fact]
    public void The_key_islands_render_once_the_tab_state_is_loaded()
    {
        KeyManager.ListGate = new TaskCompletionSource();
        var tab = RenderTab();

        // Until then they render nothing of their own: in a circuit, the prerendered rows stay on screen meanwhile.
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
