using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// Each island of the tab is the error boundary of what it renders (TabIsland).
public sealed class IslandFailureTests : ApiDocsTestContext
{
    [Fact]
    public void A_failing_key_row_is_replaced_by_a_request_id_and_the_other_rows_and_the_credits_keep_rendering()
    {
        // A list the row cannot render (the public key's allowed websites missing).
        var broken = KeyManager.Key(KeyEnvironment.Test, KeyKind.Public);
        KeyManager.Keys[KeyManager.Keys.IndexOf(broken)] = broken with { AllowedOrigins = null! };

        var tab = RenderTab();

        tab.WaitForAssertion(() => Assert.Contains("The test public key row could not be shown", tab.Find("[data-testid='part-error']").TextContent));
        Assert.Matches("^[0-9a-f]{32}$", tab.Find("[data-testid='request-id']").TextContent);
        Assert.Empty(tab.FindAll("[data-testid='key-test-public']"));
        Assert.Equal(3, tab.FindAll("[data-testid^='key-']").Count);
        Assert.Single(tab.FindAll("[role='progressbar']"));
        Assert.DoesNotContain("NullReferenceException", tab.Markup);
    }

    [Fact]
    public void Try_again_renders_the_failed_row_afresh()
    {
        var broken = KeyManager.Key(KeyEnvironment.Test, KeyKind.Public);
        KeyManager.Keys[KeyManager.Keys.IndexOf(broken)] = broken with { AllowedOrigins = null! };
        var tab = RenderTab();
        tab.WaitForAssertion(() => Assert.Single(tab.FindAll("[data-testid='part-error']")));

        // The list is right again (the next load); "Try again" shows the row.
        KeyManager.Keys[KeyManager.Keys.IndexOf(KeyManager.Key(KeyEnvironment.Test, KeyKind.Public))] = broken;
        ChangeRole(isAdmin: true);
        tab.FindAll("button").Single(b => b.TextContent.Trim() == "Try again").Click();

        tab.WaitForAssertion(() => Assert.Equal(broken.MaskedValue, tab.Find("[data-testid='key-test-public']").TextContent));
        Assert.Empty(tab.FindAll("[data-testid='part-error']"));
    }
}
