using System.Security.Claims;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Notifications;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Auth;

// Every service that reads or changes a workspace checks, through the one guard, that the person's session is
// alive: an action sent from an open tab right after "Sign out everywhere else" (before the circuit's periodic
// revalidation) is refused by members, invitations, workspace creation, mail preferences and the audit read, not
// only by the key service. A person without a session is nobody.
public sealed class LiveSessionEverywhereTests(PortalHost host) : IClassFixture<PortalHost>
{
    [Fact]
    public async Task After_sign_out_everywhere_else_the_other_tab_is_refused_by_every_service_at_once()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var openTab = workspace.Admin;
        var otherDevice = await TestActors.SessionForAsync(host.Portal.Services, openTab.UserId, openTab.DisplayName);
        Assert.Equal(1, await host.Service<UserSessions>().RevokeOthersAsync(otherDevice));

        var members = await host.Service<WorkspaceMembers>().AddAsync(openTab, workspace.Id, $"new-{Guid.NewGuid():N}@example.test", WorkspaceRole.Member);
        var audit = await host.Service<WorkspaceAuditLog>().ListForAdminAsync(openTab, workspace.Id, 10);
        var keys = await host.Service<ApiKeyListing>().ListAsync(workspace.Id, openTab);
        var rotation = await host.Service<KeyRotation>().RotateAsync(workspace.Id, workspace.Key(KeyEnvironment.Test, KeyKind.Public).Id, null, openTab);
        var muted = await host.Service<MailPreferences>().SetNoticesMutedAsync(openTab, true);
        CreateWorkspaceResult created;
        await using (var scope = host.Portal.Services.CreateAsyncScope())
        {
            created = await scope.ServiceProvider.GetRequiredService<WorkspaceCreator>().CreateAsync(openTab, "After sign-out");
        }

        Assert.Equal(MembershipOutcome.SessionEnded, members.Outcome);
        Assert.Null(audit);
        Assert.Empty(keys);
        Assert.Equal(KeyRotationOutcome.SessionEnded, rotation.Outcome);
        Assert.False(muted);
        Assert.Null(created.WorkspaceId);
        Assert.Equal(StepUp.SessionEndedMessage, created.Error);
        // The device that signed the others out still works.
        Assert.NotEmpty(await host.Service<ApiKeyListing>().ListAsync(workspace.Id, otherDevice));
    }

    [Fact]
    public async Task A_person_without_a_session_is_refused_everywhere()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var sessionless = new Actor(workspace.Admin.UserId, workspace.Admin.DisplayName, "127.0.0.1", "tests");
        var guard = host.Service<WorkspaceGuard>();

        Assert.Equal(WorkspaceRefusal.SessionEnded, (await guard.CheckAsync(workspace.Id, sessionless, WorkspaceDemand.Member)).Refusal);
        Assert.Equal(WorkspaceRefusal.SessionEnded, (await guard.CheckAsync(workspace.Id, sessionless, WorkspaceDemand.Admin("test"))).Refusal);
        Assert.Equal(WorkspaceRefusal.SessionEnded, await guard.CheckSessionAsync(sessionless));
        Assert.Equal(KeyAccessOutcome.SessionEnded, (await host.Service<SecretReveal>().GetPlaintextAsync(workspace.Id,
            workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id, KeyAccessPurpose.Reveal, sessionless)).Outcome);
        // The same person with their session passes.
        Assert.True((await guard.CheckAsync(workspace.Id, workspace.Admin, WorkspaceDemand.Admin("test"))).IsAllowed);
    }

    [Fact]
    public async Task A_cookie_principal_without_the_session_claim_is_nobody()
    {
        var userId = Guid.NewGuid();
        var withoutSession = new ClaimsPrincipal(new ClaimsIdentity([new Claim(PortalClaims.UserId, userId.ToString())], "Cookies"));
        var withSession = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(PortalClaims.UserId, userId.ToString()), new Claim(PortalClaims.SessionId, Guid.NewGuid().ToString("N"))], "Cookies"));

        Assert.Null(await new CurrentActor(new FixedAuthenticationState(withoutSession), new HttpContextAccessor()).GetAsync());
        Assert.Equal(userId, (await new CurrentActor(new FixedAuthenticationState(withSession), new HttpContextAccessor()).GetAsync())?.UserId);
    }

    private sealed class FixedAuthenticationState(ClaimsPrincipal user) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() => Task.FromResult(new AuthenticationState(user));
    }
}
