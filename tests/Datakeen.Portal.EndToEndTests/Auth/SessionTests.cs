using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Auth;

// Sessions that end: signing out in one tab ends the session for every tab and for a copied cookie;
// /signout-oidc alone signs no one out; "Sign out everywhere else" ends the other browsers' sessions.
[Collection(PortalCollection.Name)]
public sealed class SessionTests(PortalEnvironment portal)
{
    [Fact]
    public async Task Signing_out_in_one_tab_sends_the_other_tab_to_sign_in_and_a_replayed_cookie_too()
    {
        var first = await portal.NewPageAsync();
        await portal.SignInAsync(first, "admin@globex.test", path: "/w/globex/api");
        var second = await first.Context.NewPageAsync();
        await second.GotoAsync("/w/globex/api");
        // Its circuit is open once its controls are enabled.
        await Expect(second.GetByRole(AriaRole.Button, new() { Name = "Sessions" })).ToBeEnabledAsync();
        var copied = await first.Context.CookiesAsync();

        await first.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await first.WaitForURLAsync(new Regex("^" + Regex.Escape(portal.Identity.Authority)));

        // The other tab's circuit is still open: within 5 seconds it loses access and is sent to sign in.
        await Expect(second).ToHaveURLAsync(new Regex("^" + Regex.Escape(portal.Identity.Authority)), new() { Timeout = 5000 });
        Assert.DoesNotMatch(KeyPatterns.SecretKey, await second.ContentAsync());

        // The cookie copied before sign-out, replayed in a fresh browser, opens nothing.
        var replay = await portal.NewPageAsync();
        await replay.Context.AddCookiesAsync(copied.Where(c => c.Name == "Datakeen.Portal.Session").Select(c => new Cookie
        {
            Name = c.Name, Value = c.Value, Domain = c.Domain, Path = c.Path, HttpOnly = c.HttpOnly, Secure = c.Secure,
        }));
        await replay.GotoAsync("/w/globex/api");
        Assert.True(portal.IsOnProvider(replay), replay.Url);
        await Expect(replay.GetByLabel("Password")).ToBeVisibleAsync();

        await first.Context.CloseAsync();
        await replay.Context.CloseAsync();
    }

    [Fact]
    public async Task A_bare_GET_of_signout_oidc_signs_no_one_out()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@globex.test", path: "/w/globex/api");

        await page.GotoAsync("/signout-oidc");
        await page.GotoAsync("/w/globex/api");

        Assert.False(portal.IsOnProvider(page), page.Url);
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Test environment" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Sign_out_everywhere_else_ends_the_other_browsers_session_and_keeps_this_one()
    {
        var other = await portal.NewPageAsync();
        await portal.SignInAsync(other, "admin@globex.test", path: "/w/globex/api");
        await Expect(other.GetByRole(AriaRole.Button, new() { Name = "Sessions" })).ToBeEnabledAsync();
        var here = await portal.NewPageAsync();
        await portal.SignInAsync(here, "admin@globex.test", path: "/w/globex/api");

        await here.GetByRole(AriaRole.Button, new() { Name = "Sessions" }).ClickAsync();
        await here.WaitForURLAsync(new Regex("/account/sessions$"));
        await Expect(here.GetByText("This browser")).ToBeVisibleAsync();
        Assert.True(await here.GetByTestId("session-row").CountAsync() >= 2);
        // The other browser is still signed in at the provider, so it may come straight back with a new session:
        // what shows that its session ended is that its open page is sent through the provider.
        var otherSentToSignIn = other.WaitForRequestAsync(
            r => r.Url.StartsWith(portal.Identity.Authority + "/connect/authorize", StringComparison.Ordinal), new() { Timeout = 5000 });
        await here.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere else" }).ClickAsync();

        await Expect(here.GetByTestId("session-row")).ToHaveCountAsync(1);
        await otherSentToSignIn;
        await here.GotoAsync("/w/globex/api");
        Assert.False(portal.IsOnProvider(here), here.Url);

        await other.Context.CloseAsync();
        await here.Context.CloseAsync();
    }
}
