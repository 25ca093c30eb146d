using System.Security.Claims;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Workspaces;

// An invitation by email attaches at sign-in only when the provider asserts email_verified: true.
public sealed class InvitationTests(PortalHost host) : IClassFixture<PortalHost>
{
    [Fact]
    public async Task An_invitation_waits_for_accept_and_is_offered_only_to_a_verified_address()
    {
        var email = $"invitee-{Guid.NewGuid():N}@example.test";
        var workspaceId = await CreateWorkspaceInvitingAsync(email);
        var signIn = host.Portal.Services.GetRequiredService<UserSignIn>();
        var invitations = host.Portal.Services.GetRequiredService<Invitations>();
        await using var db = host.CreateDbContext();

        var unverified = await signIn.RecordAsync("https://issuer.test/", Person("sub-1", email.ToUpperInvariant(), verified: false), null);
        Assert.Null(await db.RoleOfAsync(workspaceId, unverified));
        Assert.Empty(await invitations.ListPendingAsync(await ActorOfAsync(unverified)));

        // A verified address sees the invitation, with who sent it, but is not a member until it accepts.
        var verified = await signIn.RecordAsync("https://issuer.test/", Person("sub-2", email.ToUpperInvariant(), verified: true), null);
        Assert.Null(await db.RoleOfAsync(workspaceId, verified));
        var pending = Assert.Single(await invitations.ListPendingAsync(await ActorOfAsync(verified)));
        Assert.Equal("Invites", pending.WorkspaceName);
        Assert.Equal(WorkspaceRole.Member, pending.Role);
        Assert.Equal("Test user", pending.InvitedBy);
        Assert.Equal(1, await invitations.CountPendingAsync(verified));

        // Nobody else can answer it.
        Assert.Equal(InvitationOutcome.NotFound, (await invitations.AnswerAsync(await ActorOfAsync(unverified), pending.Id, accept: true)).Outcome);

        var (outcome, slug) = await invitations.AnswerAsync(await ActorOfAsync(verified), pending.Id, accept: true);
        Assert.Equal(InvitationOutcome.Accepted, outcome);
        Assert.NotNull(slug);
        Assert.Equal(WorkspaceRole.Member, await db.RoleOfAsync(workspaceId, verified));
        Assert.Equal(0, await invitations.CountPendingAsync(verified));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.WorkspaceId == workspaceId && e.Action == AuditActions.InvitationAccepted));
    }

    [Fact]
    public async Task A_declined_invitation_is_gone_and_grants_nothing()
    {
        var email = $"decliner-{Guid.NewGuid():N}@example.test";
        var workspaceId = await CreateWorkspaceInvitingAsync(email);
        var invitations = host.Portal.Services.GetRequiredService<Invitations>();
        var user = await host.Portal.Services.GetRequiredService<UserSignIn>()
            .RecordAsync("https://issuer.test/", Person(Guid.NewGuid().ToString("N"), email, verified: true), null);
        var pending = Assert.Single(await invitations.ListPendingAsync(await ActorOfAsync(user)));

        var (outcome, _) = await invitations.AnswerAsync(await ActorOfAsync(user), pending.Id, accept: false);

        Assert.Equal(InvitationOutcome.Declined, outcome);
        await using var db = host.CreateDbContext();
        Assert.Null(await db.RoleOfAsync(workspaceId, user));
        Assert.False(await db.Memberships.AnyAsync(m => m.WorkspaceId == workspaceId && m.InvitedEmail == email));
        Assert.Empty(await invitations.ListPendingAsync(await ActorOfAsync(user)));
    }

    [Fact]
    public async Task Home_goes_to_the_last_workspace_used_not_the_alphabetically_first()
    {
        await using var db = host.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);
        await using var scope = host.Portal.Services.CreateAsyncScope();
        var creator = scope.ServiceProvider.GetRequiredService<WorkspaceCreator>();
        var zulu = await creator.CreateAsync(actor, "Zulu " + Guid.NewGuid().ToString("N")[..6]);
        await creator.CreateAsync(actor, "Alpha " + Guid.NewGuid().ToString("N")[..6]);
        var directory = host.Portal.Services.GetRequiredService<WorkspaceDirectory>();

        var before = await directory.FindHomeAsync(actor.UserId);
        await directory.RememberLastUsedAsync(actor.UserId, zulu.WorkspaceId!.Value);
        var after = await directory.FindHomeAsync(actor.UserId);

        Assert.StartsWith("Alpha", before!.Name);
        Assert.Equal(zulu.Slug, after!.Slug);
    }

    [Fact]
    public async Task Signing_in_again_updates_the_user_instead_of_creating_another()
    {
        var signIn = host.Portal.Services.GetRequiredService<UserSignIn>();
        var subject = Guid.NewGuid().ToString("N");

        var first = await signIn.RecordAsync("https://issuer.test/", Person(subject, "old@example.test", verified: true), null);
        var second = await signIn.RecordAsync("https://issuer.test/", Person(subject, "new@example.test", verified: true), null);

        Assert.Equal(first, second);
        await using var db = host.CreateDbContext();
        Assert.Equal("new@example.test", (await db.Users.SingleAsync(u => u.Id == first)).Email);
    }

    [Fact]
    public async Task A_provider_display_name_or_email_PostgreSQL_cannot_store_does_not_break_sign_in()
    {
        var signIn = host.Portal.Services.GetRequiredService<UserSignIn>();
        var person = new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(PortalClaims.Subject, Guid.NewGuid().ToString("N")),
            new Claim(PortalClaims.Email, "nul\u0000@example.test"),
            new Claim(PortalClaims.EmailVerified, "true", ClaimValueTypes.Boolean),
            new Claim(PortalClaims.Name, "Ada\u0000 \ud800Lovelace " + new string('x', 198) + "\ud83d\ude00"),
        ], "test"));

        var id = await signIn.RecordAsync("https://issuer.test/", person, null);

        await using var db = host.CreateDbContext();
        var user = await db.Users.SingleAsync(u => u.Id == id);
        Assert.Null(user.Email);
        Assert.StartsWith("Ada \ufffdLovelace xxx", user.DisplayName);
        Assert.False(char.IsHighSurrogate(user.DisplayName![^1]));
    }

    // The user menu reads both in one query (UserMenuRead): each answer is what is stored at that moment, with the
    // pending rule of Invitations (an unverified address sees none).
    [Fact]
    public async Task The_user_menu_reads_pending_invitations_and_the_mail_preference_as_stored()
    {
        var email = $"menu-{Guid.NewGuid():N}@example.test";
        await CreateWorkspaceInvitingAsync(email);
        var signIn = host.Portal.Services.GetRequiredService<UserSignIn>();
        var invitations = host.Portal.Services.GetRequiredService<Invitations>();
        var preferences = host.Portal.Services.GetRequiredService<Datakeen.Portal.Notifications.MailPreferences>();
        var menu = host.Portal.Services.GetRequiredService<UserMenuRead>();

        var unverified = await ActorOfAsync(await signIn.RecordAsync("https://issuer.test/",
            Person(Guid.NewGuid().ToString("N"), email, verified: false), null));
        Assert.Equal(new UserMenuFacts(0, false), await menu.ReadAsync(unverified));

        var verified = await ActorOfAsync(await signIn.RecordAsync("https://issuer.test/",
            Person(Guid.NewGuid().ToString("N"), email, verified: true), null));
        Assert.Equal(new UserMenuFacts(1, false), await menu.ReadAsync(verified));

        Assert.True(await preferences.SetNoticesMutedAsync(verified, muted: true));
        Assert.Equal(new UserMenuFacts(1, true), await menu.ReadAsync(verified));
        Assert.True(await preferences.IsNoticesMutedAsync(verified));

        var pending = Assert.Single(await invitations.ListPendingAsync(verified));
        Assert.Equal(InvitationOutcome.Declined, (await invitations.AnswerAsync(verified, pending.Id, accept: false)).Outcome);
        Assert.Equal(new UserMenuFacts(0, true), await menu.ReadAsync(verified));

        Assert.True(await preferences.SetNoticesMutedAsync(verified, muted: false));
        Assert.Equal(new UserMenuFacts(0, false), await menu.ReadAsync(verified));
    }

    private async Task<Guid> CreateWorkspaceInvitingAsync(string email)
    {
        await using var db = host.CreateDbContext();
        var admin = await WorkspaceTestUsers.CreateAsync(db);
        await using var scope = host.Portal.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<WorkspaceCreator>().CreateAsync(admin, "Invites");
        var added = await host.Portal.Services.GetRequiredService<WorkspaceMembers>()
            .AddAsync(admin, created.WorkspaceId!.Value, email, WorkspaceRole.Member);
        Assert.True(added.Succeeded, added.Error);
        return created.WorkspaceId.Value;
    }

    // The invitee signed in (a live session of theirs), as the invitations page passes them.
    private Task<Actor> ActorOfAsync(Guid userId) => TestActors.SessionForAsync(host.Portal.Services, userId, "Invitee");

    private static ClaimsPrincipal Person(string subject, string email, bool verified) => new(new ClaimsIdentity(
    [
        new Claim(PortalClaims.Subject, subject),
        new Claim(PortalClaims.Email, email),
        new Claim(PortalClaims.EmailVerified, verified ? "true" : "false", ClaimValueTypes.Boolean),
        new Claim(PortalClaims.Name, "Invitee"),
    ], "test"));
}
