using System.Security.Claims;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Workspaces;

// An invitation by email attaches at sign-in only when the provider asserts email_verified: true.
public sealed class InvitationTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>, IAsyncLifetime
{
    private PortalFactory _portal = null!;

    public Task InitializeAsync()
    {
        _portal = new PortalFactory(database.ConnectionString);
        _ = _portal.Services;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    [Fact]
    public async Task An_invitation_attaches_only_when_the_email_is_verified()
    {
        var email = $"invitee-{Guid.NewGuid():N}@example.test";
        var workspaceId = await CreateWorkspaceInvitingAsync(email);
        var signIn = _portal.Services.GetRequiredService<UserSignIn>();
        await using var db = database.CreateDbContext();

        var unverified = await signIn.RecordAsync("https://issuer.test/", Person("sub-1", email.ToUpperInvariant(), verified: false), null);
        Assert.Null(await db.GetRoleAsync(workspaceId, unverified));

        // Someone else asserting the same, verified address at another provider account does get it.
        var verified = await signIn.RecordAsync("https://issuer.test/", Person("sub-2", email.ToUpperInvariant(), verified: true), null);
        Assert.Equal(WorkspaceRole.Member, await db.GetRoleAsync(workspaceId, verified));
        Assert.False(await db.Memberships.AnyAsync(m => m.WorkspaceId == workspaceId && m.UserId == null));
    }

    [Fact]
    public async Task Signing_in_again_updates_the_user_instead_of_creating_another()
    {
        var signIn = _portal.Services.GetRequiredService<UserSignIn>();
        var subject = Guid.NewGuid().ToString("N");

        var first = await signIn.RecordAsync("https://issuer.test/", Person(subject, "old@example.test", verified: true), null);
        var second = await signIn.RecordAsync("https://issuer.test/", Person(subject, "new@example.test", verified: true), null);

        Assert.Equal(first, second);
        await using var db = database.CreateDbContext();
        Assert.Equal("new@example.test", (await db.Users.SingleAsync(u => u.Id == first)).Email);
    }

    [Fact]
    public async Task A_provider_display_name_or_email_PostgreSQL_cannot_store_does_not_break_sign_in()
    {
        var signIn = _portal.Services.GetRequiredService<UserSignIn>();
        var person = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(PortalClaims.Subject, Guid.NewGuid().ToString("N")),
            new Claim(PortalClaims.Email, "nul\u0000@example.test"),
            new Claim(PortalClaims.EmailVerified, "true", ClaimValueTypes.Boolean),
            new Claim(PortalClaims.Name, "Ada\u0000 \ud800Lovelace " + new string('x', 198) + "\ud83d\ude00"),
        ], "test"));

        var id = await signIn.RecordAsync("https://issuer.test/", person, null);

        await using var db = database.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Id == id);
        Assert.Null(user.Email);
        Assert.StartsWith("Ada \ufffdLovelace xxx", user.DisplayName);
        Assert.False(char.IsHighSurrogate(user.DisplayName![^1]));
    }

    private async Task<Guid> CreateWorkspaceInvitingAsync(string email)
    {
        await using var db = database.CreateDbContext();
        var admin = await WorkspaceTestUsers.CreateAsync(db);
        await using var scope = _portal.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<WorkspaceCreator>().CreateAsync(admin, "Invites");
        var added = await _portal.Services.GetRequiredService<WorkspaceMembers>()
            .AddAsync(admin, created.WorkspaceId!.Value, email, WorkspaceRole.Member);
        Assert.True(added.Succeeded, added.Error);
        return created.WorkspaceId.Value;
    }

    private static ClaimsPrincipal Person(string subject, string email, bool verified) => new(new ClaimsIdentity(
    [
        new Claim(PortalClaims.Subject, subject),
        new Claim(PortalClaims.Email, email),
        new Claim(PortalClaims.EmailVerified, verified ? "true" : "false", ClaimValueTypes.Boolean),
        new Claim(PortalClaims.Name, "Invitee"),
    ], "test"));
}
