using System.Net;
using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.IntegrationTests.Auth;

// The portal against the real development provider, both on loopback ports, signing in through the
// provider's real form.
public sealed partial class SignInTests(PortalStack stack) : IClassFixture<PortalStack>
{
    [Fact]
    public async Task An_anonymous_page_visit_redirects_to_the_provider_with_a_pkce_challenge()
    {
        using var client = stack.CreateAnonymousClient();

        using var response = await client.GetAsync("/workspaces/new");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!.ToString();
        Assert.StartsWith(stack.Identity.Authority + "/connect/authorize?", location);
        Assert.Contains("code_challenge=", location);
        Assert.Contains("code_challenge_method=S256", location);
        Assert.Contains("response_type=code", location);
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/app.css")]
    [InlineData("/_framework/blazor.web.js")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.css")]
    public async Task Health_openapi_and_static_assets_stay_anonymous(string path)
    {
        using var client = stack.CreateAnonymousClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Fingerprinted_static_assets_stay_anonymous()
    {
        using var signedIn = await stack.SignInAsync("member@acme.test");
        var html = await (await signedIn.Client.GetAsync("/w/acme/api")).Content.ReadAsStringAsync();
        var stylesheet = FingerprintedAppCss().Match(html).Value;
        Assert.NotEmpty(stylesheet);
        using var client = stack.CreateAnonymousClient();

        using var response = await client.GetAsync("/" + stylesheet);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/css", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_anonymous_api_call_is_never_redirected_to_the_provider()
    {
        using var client = stack.CreateAnonymousClient();

        using var response = await client.GetAsync("/api/v1/whoami");

        Assert.NotEqual(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Null(response.Headers.Location);
        // The API's own refusal, not a 404 or a 500 that would also "not redirect".
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"invalid_api_key\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_audit_log_page_is_404_for_an_outsider_and_admin_only_for_members()
    {
        using var outsider = await stack.SignInAsync("admin@globex.test");
        using var member = await stack.SignInAsync("member@acme.test");
        using var admin = await stack.SignInAsync("admin@acme.test");

        using var asOutsider = await outsider.Client.GetAsync("/w/acme/audit");
        using var asMember = await member.Client.GetAsync("/w/acme/audit");
        using var asAdmin = await admin.Client.GetAsync("/w/acme/audit");

        Assert.Equal(HttpStatusCode.NotFound, asOutsider.StatusCode);
        Assert.DoesNotContain("Acme", await asOutsider.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, asMember.StatusCode);
        var memberPage = await asMember.Content.ReadAsStringAsync();
        Assert.Contains("Only admins can see the audit log.", memberPage);
        Assert.DoesNotContain("Filter the audit log", memberPage);
        Assert.Equal(HttpStatusCode.OK, asAdmin.StatusCode);
        var adminPage = await asAdmin.Content.ReadAsStringAsync();
        Assert.Contains("Filter the audit log", adminPage);
        Assert.Contains("workspace.created", adminPage);
    }

    [Fact]
    public async Task Signing_in_records_the_user_and_lands_on_the_first_workspace()
    {
        using var signedIn = await stack.SignInAsync("admin@acme.test");

        Assert.Equal("/", signedIn.LandingLocation);
        using var home = await signedIn.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/w/acme/api", new Uri(stack.PortalAddress, home.Headers.Location!).AbsolutePath);

        using var page = await signedIn.Client.GetAsync("/w/acme/api");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("API &amp; Docs", html);
        Assert.Contains("Acme", html);

        await using var db = stack.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Email == "admin@acme.test");
        Assert.True(user.EmailVerified);
        Assert.Equal("dev-admin-acme", user.Subject);
        Assert.StartsWith(stack.Identity.Authority, user.Issuer);
    }

    [Fact]
    public async Task A_user_without_a_workspace_is_sent_to_create_one()
    {
        using var signedIn = await stack.SignInAsync(PortalStack.Newcomer);

        using var home = await signedIn.Client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, home.StatusCode);
        Assert.Equal("/workspaces/new", new Uri(stack.PortalAddress, home.Headers.Location!).AbsolutePath);
    }

    [Fact]
    public async Task An_invitation_is_not_claimed_through_a_provider_that_does_not_verify_the_address()
    {
        await using (var db = stack.CreateDbContext())
        {
            var acme = await db.Workspaces.SingleAsync(w => w.Slug == "acme");
            db.Memberships.Add(new Membership
            {
                Id = Guid.NewGuid(), WorkspaceId = acme.Id, InvitedEmail = PortalStack.Unverified,
                Role = WorkspaceRole.Admin, CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        using var signedIn = await stack.SignInAsync(PortalStack.Unverified);

        using var page = await signedIn.Client.GetAsync("/w/acme/api");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        await using var check = stack.CreateDbContext();
        Assert.False((await check.Users.SingleAsync(u => u.Email == PortalStack.Unverified)).EmailVerified);
        Assert.True(await check.Memberships.AnyAsync(m => m.InvitedEmail == PortalStack.Unverified && m.UserId == null));
    }

    [Fact]
    public async Task A_user_who_is_not_a_member_gets_404_for_the_workspace()
    {
        using var signedIn = await stack.SignInAsync("admin@globex.test");

        using var api = await signedIn.Client.GetAsync("/w/acme/api");
        using var members = await signedIn.Client.GetAsync("/w/acme/members");
        using var own = await signedIn.Client.GetAsync("/w/globex/api");

        Assert.Equal(HttpStatusCode.NotFound, api.StatusCode);
        Assert.DoesNotContain("Acme", await api.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, members.StatusCode);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task Members_see_the_member_list_read_only_and_admins_can_manage_it()
    {
        using var member = await stack.SignInAsync("member@acme.test");
        using var admin = await stack.SignInAsync("admin@acme.test");

        var asMember = await (await member.Client.GetAsync("/w/acme/members")).Content.ReadAsStringAsync();
        var asAdmin = await (await admin.Client.GetAsync("/w/acme/members")).Content.ReadAsStringAsync();

        Assert.Contains("member@acme.test", asMember);
        Assert.DoesNotContain("Add member", asMember);
        Assert.DoesNotContain("Remove ", asMember);
        Assert.Contains("Add member", asAdmin);
    }

    [Theory]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("http:/evil.example")]
    public async Task A_return_url_to_another_site_is_neutralised_to_the_home_page(string returnUrl)
    {
        using var signedIn = await stack.SignInAsync("member@acme.test", returnUrl);

        Assert.Equal("/", signedIn.LandingLocation);
    }

    [Fact]
    public async Task A_local_return_url_is_kept()
    {
        using var signedIn = await stack.SignInAsync("member@acme.test", "/w/acme/members");

        Assert.Equal("/w/acme/members", signedIn.LandingLocation);
    }

    [Fact]
    public async Task Sign_out_is_a_post_with_an_antiforgery_token_and_ends_the_provider_session()
    {
        using var signedIn = await stack.SignInAsync("admin@acme.test");
        var html = await (await signedIn.Client.GetAsync("/w/acme/api")).Content.ReadAsStringAsync();
        var token = AntiforgeryField().Match(html).Groups["value"].Value;
        Assert.NotEmpty(token);

        using var withoutToken = await signedIn.Client.PostAsync("/authentication/logout",
            new FormUrlEncodedContent([KeyValuePair.Create("returnUrl", "/")]));
        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Contains("Reload the page", await withoutToken.Content.ReadAsStringAsync());

        using var signOut = await signedIn.Client.PostAsync("/authentication/logout", new FormUrlEncodedContent(
            [KeyValuePair.Create("__RequestVerificationToken", System.Net.WebUtility.HtmlDecode(token)), KeyValuePair.Create("returnUrl", "/")]));
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var endSession = signOut.Headers.Location!.ToString();
        Assert.StartsWith(stack.Identity.Authority + "/connect/logout?", endSession);
        Assert.Contains("id_token_hint=", endSession);

        // Back through the provider to the portal, which now sends the visitor to sign in again.
        var back = await OidcSignIn.FollowAsync(signedIn.Client, await signedIn.Client.GetAsync(endSession), stopAfterCallback: false);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Contains("/account/login", back.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [GeneratedRegex("""app\.[a-z0-9]+\.css""")]
    private static partial Regex FingerprintedAppCss();

    [GeneratedRegex("""name="__RequestVerificationToken" value="(?<value>[^"]+)""")]
    private static partial Regex AntiforgeryField();
}
