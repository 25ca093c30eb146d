using System.Net;
using System.Text.RegularExpressions;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.SecretScanning;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.IntegrationTests.Auth;

// What people choose (a workspace name, the display name their provider sends) and what anyone can report (a
// leak URL) is rendered as text: markup stays inert, a non-http(s) URL gets no link, a CR/LF in a name is gone
// before it is stored. Checked on the pages as the server renders them for a signed-in admin.
public sealed partial class MarkupInNamesTests(MarkupInNamesTests.Stack stack) : IClassFixture<MarkupInNamesTests.Stack>
{
    private const string Email = "mallory@example.test";
    private const string DisplayName = "<img src=x onerror=alert(1)>\r\nMallory <b>bold</b>";
    private const string WorkspaceName = "<script>alert(1)</script>";

    public sealed class Stack : PortalStack
    {
        protected override string[] ExtraIdentityArgs =>
        [
            "--DevIdentity:Users:5:Subject=dev-mallory",
            $"--DevIdentity:Users:5:Email={Email}",
            $"--DevIdentity:Users:5:Name={DisplayName}",
            "--DevIdentity:Users:5:Password=demo",
            "--DevIdentity:Users:5:EmailVerified=true",
        ];
    }

    [Fact]
    public async Task A_cr_lf_in_the_display_name_the_provider_sends_is_stripped_before_it_is_stored()
    {
        using var signedIn = await stack.SignInAsync(Email);

        await using var db = stack.CreateDbContext();
        var stored = await db.Users.Where(u => u.Email == Email).Select(u => u.DisplayName).SingleAsync();
        Assert.Equal("<img src=x onerror=alert(1)> Mallory <b>bold</b>", stored);
    }

    [Fact]
    public async Task Markup_in_names_and_leak_urls_is_rendered_as_text_and_only_http_urls_are_links()
    {
        using var signedIn = await stack.SignInAsync(Email);
        var workspace = await TestWorkspaces.CreateAsync(stack.Portal.Services);
        await using (var db = stack.CreateDbContext())
        {
            Assert.Null(WorkspaceCreator.ValidateName(WorkspaceName)); // a name the creation form accepts
            await db.Workspaces.Where(w => w.Id == workspace.Id).ExecuteUpdateAsync(w => w.SetProperty(x => x.Name, WorkspaceName));
            var mallory = await db.Users.Where(u => u.Email == Email).Select(u => u.Id).SingleAsync();
            db.Memberships.Add(new Membership
            {
                Id = Guid.NewGuid(), WorkspaceId = workspace.Id, UserId = mallory, Role = WorkspaceRole.Admin, CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }
        await stack.Service<LeakResponder>().RespondAsync(
        [
            new LeakReportRequest(workspace.Key(KeyEnvironment.Production, KeyKind.Secret).Plaintext, "datakeen_secret_key", "javascript:alert(1)", "content"),
            new LeakReportRequest(workspace.TestSecretKey, "datakeen_secret_key", "\"><img src=x onerror=alert(1)>", "content"),
        ], CancellationToken.None);

        var api = await PageAsync(signedIn, $"/w/{workspace.Slug}/api");
        var members = await PageAsync(signedIn, $"/w/{workspace.Slug}/members");

        foreach (var html in new[] { api, members })
        {
            Assert.DoesNotContain("<script>alert(1)", html);
            Assert.DoesNotContain("<img src=x", html);
            Assert.DoesNotContain("<b>bold", html);
            Assert.DoesNotMatch(JavascriptHref(), html);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        }
        Assert.Contains("found in public", api);
        Assert.Contains("javascript:alert(1)", api);
        Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", api);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt; Mallory &lt;b&gt;bold&lt;/b&gt;", members);
        // The reported URLs are text, never the target of a link.
        Assert.DoesNotMatch(LinkTo("javascript:alert(1)"), api);
        Assert.DoesNotMatch(LinkTo("&quot;&gt;&lt;img"), api);
    }

    [Fact]
    public async Task The_members_page_marks_an_address_the_provider_did_not_verify()
    {
        using var signedIn = await stack.SignInAsync(Email);
        using var unverified = await stack.SignInAsync(PortalStack.Unverified);
        var workspace = await TestWorkspaces.CreateAsync(stack.Portal.Services);
        await using (var db = stack.CreateDbContext())
        {
            foreach (var (email, role) in new[] { (Email, WorkspaceRole.Admin), (PortalStack.Unverified, WorkspaceRole.Admin) })
            {
                var id = await db.Users.Where(u => u.Email == email).Select(u => u.Id).SingleAsync();
                db.Memberships.Add(new Membership
                {
                    Id = Guid.NewGuid(), WorkspaceId = workspace.Id, UserId = id, Role = role, CreatedAt = DateTimeOffset.UtcNow,
                });
            }
            await db.SaveChangesAsync();
        }

        var members = await PageAsync(signedIn, $"/w/{workspace.Slug}/members");

        var unverifiedRow = Regex.Match(members, $"{Regex.Escape(PortalStack.Unverified)}.{{0,400}}", RegexOptions.Singleline).Value;
        var verifiedRow = Regex.Match(members, $"{Regex.Escape(Email)}.{{0,400}}", RegexOptions.Singleline).Value;
        Assert.Contains(">unverified<", unverifiedRow);
        Assert.DoesNotContain(">unverified<", verifiedRow[..verifiedRow.IndexOf("</td>", StringComparison.Ordinal)]);
    }

    private static async Task<string> PageAsync(SignedInClient signedIn, string path)
    {
        using var response = await signedIn.Client.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static Regex LinkTo(string encodedUrl) => new($"<a [^>]*href=\"[^\"]*{Regex.Escape(encodedUrl)}", RegexOptions.IgnoreCase);

    [GeneratedRegex("""href\s*=\s*["']?\s*javascript:""", RegexOptions.IgnoreCase)]
    private static partial Regex JavascriptHref();
}
