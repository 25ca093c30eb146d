using Datakeen.Portal.ApiKeys;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.JSInterop;
using MudBlazor;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class KeyRowTests : ApiDocsTestContext
{
    [Fact]
    public void Keys_are_masked_by_default_and_no_plaintext_is_in_the_initial_markup()
    {
        var tab = RenderTab();

        foreach (var key in KeyManager.Keys)
        {
            var testId = $"key-{(key.Environment == KeyEnvironment.Test ? "test" : "production")}-{key.Kind.ToString().ToLowerInvariant()}";
            Assert.Equal(key.MaskedValue, tab.Find($"[data-testid='{testId}']").TextContent);
            Assert.DoesNotContain(KeyManager.Plaintext(key), tab.Markup);
        }

        Assert.Empty(KeyManager.PlaintextRequests);
    }

    [Fact]
    public void Cards_come_Test_first_then_Production_as_named_regions_with_their_base_urls()
    {
        var tab = RenderTab();

        var regions = tab.FindAll("[role='region']");
        Assert.Equal(["Test environment", "Production environment"], regions.Select(r => r.GetAttribute("aria-label")));
        Assert.Contains("Start here: free, no real credits", regions[0].TextContent);
        Assert.Contains(TestJourneyApi, regions[0].TextContent);
        Assert.Contains(TestDocumentsApi, regions[0].TextContent);
        Assert.Contains("https://app-v3.datakeen.co/backend", regions[1].TextContent);
        Assert.Contains("https://api.datakeen.co/api", regions[1].TextContent);
        Assert.True(HasButton(tab, "Copy production Journey API base URL"));
        Assert.True(HasButton(tab, "Copy test Documents API base URL"));
    }

    // The rows and the meter live in every open tab's circuit, where a scope attribute (CSS isolation) is one more
    // render-tree frame per element: their styles are global (wwwroot/app.css), so their own elements carry none
    // (docs/benchmarks.md, issue 21, fifth stop).
    [Fact]
    public void The_key_rows_and_the_credit_meter_carry_no_css_scope_attribute()
    {
        var tab = RenderTab();

        tab.WaitForAssertion(() => Assert.Equal(4, tab.FindAll(".key-row").Count));
        tab.WaitForAssertion(() => Assert.Single(tab.FindAll(".credit-meter")));
        var own = tab.FindAll("[class*='key-row'], [class*='key-usage'], [class*='credit-meter']");
        Assert.True(own.Count > 20);
        Assert.All(own, element => Assert.DoesNotContain(element.Attributes, a => a.Name.StartsWith("b-", StringComparison.Ordinal)));
    }

    [Fact]
    public void Revealing_then_hiding_removes_the_secret_from_the_markup()
    {
        var key = KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret);
        var plaintext = KeyManager.Plaintext(key);
        var tab = RenderTab();

        Button(tab, "Reveal test secret key").Click();

        Assert.Equal(plaintext, tab.Find("[data-testid='key-test-secret']").TextContent);
        Assert.Equal([(key.Id, KeyAccessPurpose.Reveal)], KeyManager.PlaintextRequests);

        Button(tab, "Hide test secret key").Click();

        Assert.DoesNotContain(plaintext, tab.Markup);
        Assert.Equal(key.MaskedValue, tab.Find("[data-testid='key-test-secret']").TextContent);
        Assert.True(HasButton(tab, "Reveal test secret key"));
    }

    [Fact]
    public void Copying_a_key_puts_it_on_the_clipboard_without_revealing_it()
    {
        var key = KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret);
        var plaintext = KeyManager.Plaintext(key);
        var clipboard = JSInterop.SetupVoid("datakeen.copyText", plaintext);
        clipboard.SetVoidResult();
        var tab = RenderTab();

        Button(tab, "Copy test secret key").Click();

        var invocation = JSInterop.VerifyInvoke("datakeen.copyText");
        Assert.Equal(plaintext, invocation.Arguments[0]);
        Assert.Equal([(key.Id, KeyAccessPurpose.Copy)], KeyManager.PlaintextRequests);
        Assert.DoesNotContain(plaintext, tab.Markup);
        var snackbar = Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        Assert.Equal("Copied", snackbar.Message);
    }

    [Fact]
    public void A_failed_clipboard_write_says_so_instead_of_Copied()
    {
        JSInterop.SetupVoid("datakeen.copyText", _ => true).SetException(new Microsoft.JSInterop.JSException("denied"));
        var tab = RenderTab();

        Button(tab, "Copy test public key").Click();

        var snackbar = Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        Assert.Equal(Severity.Error, snackbar.Severity);
        Assert.StartsWith("Couldn't copy", snackbar.Message);
    }

    [Fact]
    public void Members_see_secret_keys_masked_without_controls_and_are_told_why()
    {
        var tab = RenderTab(isAdmin: false);

        foreach (var env in new[] { "test", "production" })
        {
            Assert.False(HasButton(tab, $"Reveal {env} secret key"));
            Assert.False(HasButton(tab, $"Copy {env} secret key"));
            Assert.False(HasButton(tab, $"Rotate {env} secret key"));
            Assert.False(HasButton(tab, $"Rotate {env} public key"));
            Assert.True(HasButton(tab, $"Reveal {env} public key"));
            Assert.True(HasButton(tab, $"Copy {env} public key"));
        }

        Assert.Equal(2, tab.FindAll("p, span, div").Count(e =>
            e.ChildElementCount == 0 && e.TextContent == "Only admins can reveal or rotate secret keys"));
        Assert.Equal(KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret).MaskedValue,
            tab.Find("[data-testid='key-test-secret']").TextContent);
    }

    [Fact]
    public void Members_can_reveal_a_public_key()
    {
        var key = KeyManager.Key(KeyEnvironment.Production, KeyKind.Public);
        var tab = RenderTab(isAdmin: false);

        Button(tab, "Reveal production public key").Click();

        Assert.Equal(KeyManager.Plaintext(key), tab.Find("[data-testid='key-production-public']").TextContent);
    }

    [Fact]
    public void A_production_secret_that_can_no_longer_be_shown_offers_rotation_only()
    {
        var spent = KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret);
        KeyManager.Keys[KeyManager.Keys.IndexOf(spent)] = spent with { CanRevealPlaintext = false };
        var tab = RenderTab();

        var region = tab.Find("[role='region'][aria-label='Production environment']");
        Assert.Contains("This key can no longer be shown. Rotate it to get a new one.", region.TextContent);
        Assert.False(HasButton(tab, "Reveal production secret key"));
        Assert.False(HasButton(tab, "Copy production secret key"));
        Assert.True(HasButton(tab, "Rotate production secret key"));
        Assert.Equal(spent.MaskedValue, tab.Find("[data-testid='key-production-secret']").TextContent);
    }

    [Fact]
    public void A_revealed_production_secret_warns_that_it_is_shown_once()
    {
        var tab = RenderTab();

        Button(tab, "Reveal production secret key").Click();

        Assert.Contains("Shown once — copy it now", tab.Find("[role='region'][aria-label='Production environment']").TextContent);
    }

    [Fact]
    public void With_production_secrets_always_revealable_the_row_no_longer_says_shown_once()
    {
        // The view's flags come from the configured policy (KeyCapabilities), not from the environment's name.
        KeyManager.Options.RevealPolicy.Production = RevealPolicy.Always;
        var tab = RenderTab();
        var production = tab.Find("[role='region'][aria-label='Production environment']");
        Assert.DoesNotContain("only once", production.TextContent);

        Button(tab, "Reveal production secret key").Click();

        Assert.DoesNotContain("Shown once", tab.Find("[role='region'][aria-label='Production environment']").TextContent);
        Assert.True(HasButton(tab, "Hide production secret key"));
    }

    [Fact]
    public void Created_and_last_used_dates_are_shown_with_never_used_for_unused_keys()
    {
        var used = KeyManager.Key(KeyEnvironment.Test, KeyKind.Public);
        KeyManager.Keys[KeyManager.Keys.IndexOf(used)] = used with { LastUsedAt = DateTimeOffset.UtcNow.AddHours(-2) };
        var tab = RenderTab();

        var region = tab.Find("[role='region'][aria-label='Test environment']").TextContent;
        Assert.Contains("Created 3 days ago", region);
        Assert.Contains("Last used 2 hours ago", region);
        Assert.Contains("never used", region);
    }

    [Fact]
    public void A_key_in_its_grace_period_shows_when_it_expires()
    {
        var current = KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret);
        var expiring = KeyManager.Add(KeyEnvironment.Test, KeyKind.Secret, fill: 'o',
            expiresAt: DateTimeOffset.UtcNow.AddHours(23).AddMinutes(30));
        var tab = RenderTab();

        Assert.Equal(current.MaskedValue, tab.Find("[data-testid='key-test-secret']").TextContent);
        var notice = tab.Find("[data-testid='key-test-secret-expiring']").TextContent;
        Assert.Contains(expiring.MaskedValue, notice);
        Assert.Contains("still works until", notice);
        Assert.Contains("in 23 hours", notice);
    }

    [Fact]
    public void A_revealed_production_secret_stays_shown_until_hidden_then_can_no_longer_be_shown()
    {
        var key = KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret);
        var plaintext = KeyManager.Plaintext(key);
        // What the server says once the one reveal is spent (KeyCapabilities and the reveal policy are its rules).
        KeyManager.ServerAfterReveal = k => k.Id == key.Id ? k with { CanRevealPlaintext = false } : null;
        var tab = RenderTab();
        var listsBefore = KeyManager.ListCalls;

        Button(tab, "Reveal production secret key").Click();

        // The row asked the server again: the card shows the key's real state, not one the row computed.
        Assert.Equal(listsBefore + 1, KeyManager.ListCalls);
        Assert.Equal(plaintext, tab.Find("[data-testid='key-production-secret']").TextContent);
        Assert.Contains("Shown once — copy it now", tab.Find("[role='region'][aria-label='Production environment']").TextContent);

        Button(tab, "Hide production secret key").Click();

        Assert.DoesNotContain(plaintext, tab.Markup);
        Assert.Contains("This key can no longer be shown. Rotate it to get a new one.",
            tab.Find("[role='region'][aria-label='Production environment']").TextContent);
        Assert.False(HasButton(tab, "Reveal production secret key"));
        Assert.True(HasButton(tab, "Rotate production secret key"));
    }

    [Fact]
    public void Copying_a_revealed_production_secret_copies_the_value_on_screen()
    {
        var key = KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret);
        JSInterop.SetupVoid("datakeen.copyText", _ => true).SetVoidResult();
        var tab = RenderTab();

        Button(tab, "Reveal production secret key").Click();
        Button(tab, "Copy production secret key").Click();

        Assert.Equal(KeyManager.Plaintext(key), JSInterop.VerifyInvoke("datakeen.copyText").Arguments[0]);
        Assert.Equal([(key.Id, KeyAccessPurpose.Reveal), (key.Id, KeyAccessPurpose.Copy)], KeyManager.PlaintextRequests);
    }

    // Reveal-then-copy: the one reveal of a "shown once" secret puts the value on screen before the clipboard
    // is tried, so a failed clipboard write never burns the key.
    [Fact]
    public void Copying_an_unrevealed_production_secret_reveals_it_in_the_row_then_copies_it()
    {
        var key = KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret);
        JSInterop.SetupVoid("datakeen.copyText", _ => true).SetVoidResult();
        var tab = RenderTab();

        Button(tab, "Copy production secret key").Click();

        Assert.Equal(KeyManager.Plaintext(key), JSInterop.VerifyInvoke("datakeen.copyText").Arguments[0]);
        Assert.Equal([(key.Id, KeyAccessPurpose.Reveal)], KeyManager.PlaintextRequests);
        Assert.Equal(KeyManager.Plaintext(key), tab.Find("[data-testid='key-production-secret']").TextContent);
    }

    [Fact]
    public void A_failed_clipboard_write_leaves_the_production_secret_on_screen()
    {
        var key = KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret);
        JSInterop.SetupVoid("datakeen.copyText", _ => true).SetException(new JSException("Clipboard write denied"));
        var tab = RenderTab();

        Button(tab, "Copy production secret key").Click();

        Assert.Equal(KeyManager.Plaintext(key), tab.Find("[data-testid='key-production-secret']").TextContent);
        Assert.Contains(Services.GetRequiredService<ISnackbar>().ShownSnackbars,
            s => s.Message != null && s.Message.StartsWith("Couldn't copy to the clipboard.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(KeyAccessOutcome.ReauthenticationRequired, "authentication/login?reauthenticate=true&returnUrl=")]
    [InlineData(KeyAccessOutcome.SessionEnded, "authentication/login?returnUrl=")]
    public void A_step_up_or_an_ended_session_sends_the_page_through_the_provider_and_back(KeyAccessOutcome outcome, string target)
    {
        KeyManager.AccessRefusal = outcome;
        var navigation = Services.GetRequiredService<NavigationManager>();
        var tab = RenderTab();
        var before = navigation.Uri;

        Button(tab, "Reveal production secret key").Click();

        var expected = navigation.BaseUri + target + Uri.EscapeDataString("/" + navigation.ToBaseRelativePath(before));
        Assert.Equal(expected, navigation.Uri);
        Assert.Equal(KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret).MaskedValue,
            tab.Find("[data-testid='key-production-secret']").TextContent);
    }

    [Fact]
    public void A_refused_reveal_explains_why_and_shows_nothing()
    {
        var key = KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret);
        var tab = RenderTab();
        KeyManager.Keys[KeyManager.Keys.IndexOf(key)] = key with { CanRevealPlaintext = false };

        Button(tab, "Reveal production secret key").Click();

        var snackbar = Assert.Single(Services.GetRequiredService<ISnackbar>().ShownSnackbars);
        Assert.Equal("This key can no longer be shown.", snackbar.Message);
        Assert.Equal(key.MaskedValue, tab.Find("[data-testid='key-production-secret']").TextContent);
        tab.WaitForAssertion(() => Assert.False(HasButton(tab, "Reveal production secret key")));
    }

    [Fact]
    public void A_revealed_secret_is_dropped_when_the_viewer_stops_being_an_admin()
    {
        var plaintext = KeyManager.Plaintext(KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret));
        var tab = RenderTab();
        Button(tab, "Reveal test secret key").Click();
        Assert.Contains(plaintext, tab.Markup);

        ChangeRole(isAdmin: false);

        tab.WaitForAssertion(() => Assert.DoesNotContain(plaintext, tab.Markup));
        Assert.False(HasButton(tab, "Hide test secret key"));
    }

    // After a rolling restart the row reopens its rotation dialog as its circuit starts; the islands of the tab start
    // in any order, and MudBlazor shows a dialog only to a provider already there: the row waits for the providers.
    [Fact]
    public void A_rotation_dialog_brought_back_by_a_resumed_circuit_opens_once_the_providers_island_has_rendered()
    {
        this.AddAuthorization().SetAuthorized("Ada Admin");
        Renderer.SetRendererInfo(new RendererInfo("Server", true));
        var key = KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret);
        var row = Render<Datakeen.Portal.Components.Pages.ApiDocs.KeyRow>(parameters => parameters
            .Add(p => p.Workspace, Workspace())
            .Add(p => p.Key, key)
            .Add(p => p.RotationDialog, new Datakeen.Portal.Components.Pages.ApiDocs.RotateKeyDialogState { Open = true, Reopen = true }));

        var providers = Render<Datakeen.Portal.Components.Layout.InteractiveProviders>();

        providers.WaitForAssertion(() => Assert.Contains("Rotate test secret key?", providers.Markup));
        Assert.True(row.Instance.RotationDialogOpen);
    }

    // A resumed circuit numbers its event handlers from 1 again, and the browser forgets an island's handlers of the
    // previous circuit only at that island's first render: the reopened dialog waits for every island of the page.
    [Fact]
    public void A_rotation_dialog_brought_back_by_a_resumed_circuit_waits_until_every_island_of_the_page_has_rendered()
    {
        this.AddAuthorization().SetAuthorized("Ada Admin");
        Renderer.SetRendererInfo(new RendererInfo("Server", true));
        var islands = Services.GetRequiredService<Datakeen.Portal.Components.Layout.IslandsRendered>();
        islands.Starting();
        var row = Render<Datakeen.Portal.Components.Pages.ApiDocs.KeyRow>(parameters => parameters
            .Add(p => p.Workspace, Workspace())
            .Add(p => p.Key, KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret))
            .Add(p => p.RotationDialog, new Datakeen.Portal.Components.Pages.ApiDocs.RotateKeyDialogState { Open = true, Reopen = true }));
        var providers = Render<Datakeen.Portal.Components.Layout.InteractiveProviders>();
        Assert.False(islands.All.IsCompleted);
        Assert.DoesNotContain("Rotate test secret key?", providers.Markup);
        Assert.True(row.Instance.RotationDialogOpen);

        providers.InvokeAsync(islands.Rendered);

        providers.WaitForAssertion(() => Assert.Contains("Rotate test secret key?", providers.Markup));
    }
}
