using System.Net;
using System.Text.RegularExpressions;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Auth;

// Server-side sessions through the real sign-in flow: the cookie is only a session id, signing out
// revokes it, and remote sign-out needs the provider session named.
public sealed partial class SessionTests(PortalStack stack) : IClassFixture<PortalStack>
{
    private const string SessionCookie = "Datakeen.Portal.Session";

    [Fact]
    public async Task The_session_lives_on_the_server_and_the_cookie_carries_only_its_id()
    {
        using var signedIn = await stack.SignInAsync("member@acme.test");

        var cookie = signedIn.Cookies.GetCookies(stack.PortalAddress)[SessionCookie]!.Value;
        await using var db = stack.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == "member@acme.test");
        var session = await db.UserSessions.Where(s => s.UserId == user.Id).OrderByDescending(s => s.CreatedAt).FirstAsync();
        Assert.Null(session.RevokedAt);
        Assert.True(cookie.Length < 600, $"cookie of {cookie.Length} characters: more than a session id");
        Assert.NotEmpty(session.Ticket);
        Assert.NotNull(session.ProviderSessionId);
        Assert.True(session.Issuer?.StartsWith(stack.Identity.Authority, StringComparison.Ordinal), $"issuer {session.Issuer}");
        // The provider's auth_time made it into the session's ticket.
        var ticket = await stack.Portal.Services.GetRequiredService<SessionTicketStore>().RetrieveAsync(session.Id.ToString("N"));
        Assert.NotNull(ticket!.Principal.FindFirst("auth_time"));
    }

    [Fact]
    public async Task Signing_out_revokes_the_session_and_the_replayed_cookie_is_sent_to_sign_in()
    {
        using var signedIn = await stack.SignInAsync("admin@acme.test");
        var stolen = signedIn.Cookies.GetCookies(stack.PortalAddress)[SessionCookie]!.Value;
        using var page = await signedIn.Client.GetAsync("/w/acme/api");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var token = AntiforgeryField().Match(await page.Content.ReadAsStringAsync()).Groups["value"].Value;

        using var signOut = await signedIn.Client.PostAsync("/authentication/logout",
            new FormUrlEncodedContent([KeyValuePair.Create("__RequestVerificationToken", token), KeyValuePair.Create("returnUrl", "/")]));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);

        using var replay = stack.CreateAnonymousClient();
        replay.DefaultRequestHeaders.Add("Cookie", $"{SessionCookie}={stolen}");
        using var replayed = await replay.GetAsync("/w/acme/api");
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.StartsWith(stack.Identity.Authority + "/connect/authorize?", replayed.Headers.Location!.ToString());
    }

    [Theory]
    [InlineData("/signout-oidc")]
    [InlineData("/signout-oidc?sid=someone-else&iss=https%3A%2F%2Felsewhere.example")]
    public async Task A_GET_of_signout_oidc_without_this_sessions_sid_and_iss_signs_no_one_out(string path)
    {
        using var signedIn = await stack.SignInAsync("admin@acme.test");

        using var remote = await signedIn.Client.GetAsync(path);
        using var page = await signedIn.Client.GetAsync("/w/acme/api");

        Assert.Equal(HttpStatusCode.BadRequest, remote.StatusCode);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task A_GET_of_signout_oidc_naming_this_provider_session_ends_it()
    {
        using var signedIn = await stack.SignInAsync("admin@globex.test");
        await using var db = stack.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == "admin@globex.test");
        var session = await db.UserSessions.Where(s => s.UserId == user.Id && s.RevokedAt == null)
            .OrderByDescending(s => s.CreatedAt).FirstAsync();

        using var remote = await signedIn.Client.GetAsync(
            $"/signout-oidc?sid={session.ProviderSessionId}&iss={Uri.EscapeDataString(session.Issuer!)}");
        using var page = await signedIn.Client.GetAsync("/w/globex/api");

        Assert.Equal(HttpStatusCode.OK, remote.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        await using var check = stack.CreateDbContext();
        Assert.NotNull((await check.UserSessions.SingleAsync(s => s.Id == session.Id)).RevokedAt);
    }

    [Fact]
    public async Task Step_up_sends_the_user_through_the_provider_sign_in_form_and_back_to_the_same_page_in_a_new_session()
    {
        using var signedIn = await stack.SignInAsync("admin@acme.test");
        var oldCookie = signedIn.Cookies.GetCookies(stack.PortalAddress)[SessionCookie]!.Value;
        await using var db = stack.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == "admin@acme.test");
        var before = await db.UserSessions.AsNoTracking().Where(s => s.UserId == user.Id && s.RevokedAt == null)
            .OrderByDescending(s => s.CreatedAt).FirstAsync();
        // Make the sign-in old, as it would be after a while.
        await db.UserSessions.Where(s => s.Id == before.Id)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.AuthenticatedAt, DateTimeOffset.UtcNow.AddHours(-1)));

        using var challenge = await signedIn.Client.GetAsync("/authentication/login?reauthenticate=true&returnUrl=%2Fw%2Facme%2Fapi");
        var authorize = challenge.Headers.Location!.ToString();
        Assert.Contains("max_age=0", authorize);
        Assert.Contains("prompt=login", authorize);

        // Although signed in at the provider, the provider asks for the password again.
        using var form = await OidcSignIn.FollowAsync(signedIn.Client, challenge, stopAfterCallback: false);
        Assert.True(form.StatusCode == HttpStatusCode.OK, $"{form.StatusCode} from {form.RequestMessage!.RequestUri}: {authorize}");
        Assert.Contains("/account/login", form.RequestMessage!.RequestUri!.AbsolutePath);
        using var posted = await OidcSignIn.SubmitFormAsync(signedIn.Client, form, "admin@acme.test");
        using var callback = await OidcSignIn.FollowAsync(signedIn.Client, posted, stopAfterCallback: true);

        // A sign-in never reuses a session id: the old session ended, a new one carries the fresh auth_time.
        Assert.Equal("/w/acme/api", callback.Headers.Location!.OriginalString);
        await using var check = stack.CreateDbContext();
        Assert.NotNull((await check.UserSessions.SingleAsync(s => s.Id == before.Id)).RevokedAt);
        var after = await check.UserSessions.Where(s => s.UserId == user.Id && s.RevokedAt == null)
            .OrderByDescending(s => s.CreatedAt).FirstAsync();
        Assert.NotEqual(before.Id, after.Id);
        Assert.True(after.AuthenticatedAt > DateTimeOffset.UtcNow.AddMinutes(-1), $"auth_time {after.AuthenticatedAt:O}");
        Assert.NotEqual(oldCookie, signedIn.Cookies.GetCookies(stack.PortalAddress)[SessionCookie]!.Value);
        using var page = await signedIn.Client.GetAsync("/w/acme/api");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
    }

    [Fact]
    public async Task Forms_may_post_only_to_the_portal_and_the_provider()
    {
        using var client = stack.CreateAnonymousClient();

        using var response = await client.GetAsync("/healthz");

        var policy = response.Headers.GetValues("Content-Security-Policy").Single();
        var authority = new Uri(stack.Identity.Authority).GetLeftPart(UriPartial.Authority);
        Assert.Contains($"form-action 'self' {authority};", policy);
    }

    [GeneratedRegex("""<input[^>]*name="__RequestVerificationToken"[^>]*value="(?<value>[^"]+)""")]
    private static partial Regex AntiforgeryField();
}
