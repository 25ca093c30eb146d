using System.Net;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.IntegrationTests.Auth;

// A sign-in never hands an existing session to someone: a browser holding a member's session cookie (planted,
// or left behind) signs in as an admin; the member's session ends and the admin gets a session of their own, so
// whoever kept a copy of the member's cookie holds nothing.
public sealed class SessionFixationTests(PortalStack stack) : IClassFixture<PortalStack>
{
    private const string SessionCookie = "Datakeen.Portal.Session";

    [Fact]
    public async Task Signing_in_over_someone_elses_session_cookie_revokes_it_and_issues_a_new_session()
    {
        using var member = await stack.SignInAsync("member@acme.test");
        var planted = member.Cookies.GetCookies(stack.PortalAddress)[SessionCookie]!.Value;
        await using var db = stack.CreateDbContext();
        var memberSession = await LatestSessionAsync(db, "member@acme.test");

        var jar = new CookieContainer();
        jar.Add(stack.PortalAddress, new Cookie(SessionCookie, planted));
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = jar, AllowAutoRedirect = false })
        {
            BaseAddress = stack.PortalAddress,
        };
        using var login = await browser.GetAsync("/authentication/login?returnUrl=%2F");
        using var form = await OidcSignIn.FollowAsync(browser, login, stopAfterCallback: false);
        using var posted = await OidcSignIn.SubmitFormAsync(browser, form, "admin@acme.test");
        using var callback = await OidcSignIn.FollowAsync(browser, posted, stopAfterCallback: true);
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);

        await using var check = stack.CreateDbContext();
        var adminSession = await LatestSessionAsync(check, "admin@acme.test");
        Assert.NotEqual(memberSession.Id, adminSession.Id);
        Assert.NotNull((await check.UserSessions.SingleAsync(s => s.Id == memberSession.Id)).RevokedAt);
        Assert.Equal(memberSession.UserId, (await check.UserSessions.SingleAsync(s => s.Id == memberSession.Id)).UserId);

        // The browser is the admin now; the planted cookie, replayed, is nobody.
        using var adminPage = await browser.GetAsync("/w/acme/api");
        Assert.Equal(HttpStatusCode.OK, adminPage.StatusCode);
        using var replay = stack.CreateAnonymousClient();
        replay.DefaultRequestHeaders.Add("Cookie", $"{SessionCookie}={planted}");
        using var replayed = await replay.GetAsync("/w/acme/api");
        Assert.Equal(HttpStatusCode.Redirect, replayed.StatusCode);
        Assert.StartsWith(stack.Identity.Authority + "/connect/authorize?", replayed.Headers.Location!.ToString());
    }

    private static async Task<Portal.Auth.Sessions.UserSession> LatestSessionAsync(Portal.Data.PortalDbContext db, string email) =>
        await db.UserSessions.AsNoTracking().Where(s => s.User!.Email == email)
            .OrderByDescending(s => s.CreatedAt).FirstAsync();
}
