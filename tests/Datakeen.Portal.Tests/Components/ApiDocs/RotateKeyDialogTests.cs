using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class RotateKeyDialogTests : ApiDocsTestContext
{
    [Fact]
    public void The_rotation_dialog_explains_the_consequence_and_defaults_to_immediately()
    {
        var (dialogs, tab) = RenderTabWithDialogs();

        Button(tab, "Rotate test secret key").Click();

        var dialog = dialogs.WaitForElement("[role='dialog']");
        var title = dialogs.Find($"#{dialog.GetAttribute("aria-labelledby")}");
        Assert.Equal("Rotate test secret key?", title.TextContent.Trim());
        Assert.Contains("The current key stops working immediately; update every integration that uses it.", dialog.TextContent);
        var choices = dialog.QuerySelectorAll("label.mud-radio").Select(l => l.TextContent.Trim()).ToList();
        Assert.Equal(["Immediately", "In 1 hour", "In 24 hours", "In 7 days", "Until the new key is first used (at most 7 days)"], choices);
        Assert.True(dialog.QuerySelectorAll("input[type='radio']")[0].HasAttribute("checked"));
    }

    [Fact]
    public void Cancelling_the_rotation_dialog_changes_nothing()
    {
        var before = KeyManager.Keys.ToList();
        var (dialogs, tab) = RenderTabWithDialogs();

        Button(tab, "Rotate test secret key").Click();
        dialogs.WaitForElement("[role='dialog']");
        ClickDialogButton(dialogs, "Cancel");

        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[role='dialog']")));
        Assert.Empty(KeyManager.RotateCalls);
        Assert.Equal(before, KeyManager.Keys);
    }

    [Fact]
    public void Confirming_rotates_with_the_chosen_grace_period_and_shows_the_new_key()
    {
        var old = KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret);
        var (dialogs, tab) = RenderTabWithDialogs();

        Button(tab, "Rotate test secret key").Click();
        var radios = dialogs.FindAll("[role='dialog'] input[type='radio']");
        radios[2].Click();
        dialogs.WaitForAssertion(() => Assert.Contains("keeps working for 24 hours", dialogs.Find("[role='dialog']").TextContent));
        ClickDialogButton(dialogs, "Rotate key");

        var rotated = KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret);
        Assert.Equal([(old.Id, (TimeSpan?)TimeSpan.FromHours(24))], KeyManager.RotateCalls);
        dialogs.WaitForAssertion(() =>
            Assert.Equal(KeyManager.Plaintext(rotated), dialogs.Find("[data-testid='rotated-key']").TextContent));
        Assert.True(dialogs.FindAll("button[aria-label='Copy new key']").Count == 1);

        // The card behind the dialog refreshed: the new key, and the old one's expiry.
        tab.WaitForAssertion(() =>
            Assert.Equal(rotated.MaskedValue, tab.Find("[data-testid='key-test-secret']").TextContent));
        Assert.Contains(old.MaskedValue, tab.Find("[data-testid='key-test-secret-expiring']").TextContent);
        Assert.DoesNotContain(KeyManager.Plaintext(rotated), tab.Markup);
    }

    [Fact]
    public void Rotating_immediately_sends_no_grace_period()
    {
        var old = KeyManager.Key(KeyEnvironment.Test, KeyKind.Public);
        var (dialogs, tab) = RenderTabWithDialogs();

        Button(tab, "Rotate test public key").Click();
        ClickDialogButton(dialogs, "Rotate key");

        Assert.Equal([(old.Id, (TimeSpan?)null)], KeyManager.RotateCalls);
        dialogs.WaitForElement("[data-testid='rotated-key']");
        Assert.DoesNotContain("Shown once", dialogs.Find("[role='dialog']").TextContent);
    }

    [Fact]
    public void A_new_production_secret_is_shown_once_and_can_be_copied()
    {
        var clipboard = JSInterop.SetupVoid("datakeen.copyText", _ => true);
        clipboard.SetVoidResult();
        var (dialogs, tab) = RenderTabWithDialogs();

        Button(tab, "Rotate production secret key").Click();
        ClickDialogButton(dialogs, "Rotate key");
        var newKey = dialogs.WaitForElement("[data-testid='rotated-key']").TextContent;
        Assert.Contains("Shown once — copy it now", dialogs.Find("[role='dialog']").TextContent);

        dialogs.Find("button[aria-label='Copy new key']").Click();

        Assert.Equal(newKey, JSInterop.VerifyInvoke("datakeen.copyText").Arguments[0]);
        ClickDialogButton(dialogs, "Done");
        dialogs.WaitForAssertion(() => Assert.Empty(dialogs.FindAll("[role='dialog']")));
    }

    [Fact]
    public void A_stale_rotation_says_why_it_failed()
    {
        KeyManager.RotationAnswer = new KeyRotationResult(KeyRotationOutcome.Stale, null, null,
            "This key was already rotated in another session. Nothing was changed.");
        var (dialogs, tab) = RenderTabWithDialogs();
        var listCallsBefore = KeyManager.ListCalls;

        Button(tab, "Rotate test secret key").Click();
        ClickDialogButton(dialogs, "Rotate key");

        var alert = dialogs.WaitForElement("[role='dialog'] [role='alert']");
        Assert.Contains("This key was already rotated in another session. Nothing was changed.", alert.TextContent);
        Assert.Empty(dialogs.FindAll("[data-testid='rotated-key']"));
        Assert.True(KeyManager.ListCalls > listCallsBefore);
    }

    private static void ClickDialogButton(IRenderedComponent<MudBlazor.MudDialogProvider> dialogs, string text) =>
        dialogs.FindAll("[role='dialog'] button").Single(b => b.TextContent.Trim() == text).Click();
}
