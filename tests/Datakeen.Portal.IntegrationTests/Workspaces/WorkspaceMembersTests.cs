using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Workspaces;

public sealed class WorkspaceMembersTests(PortalHost host) : IClassFixture<PortalHost>
{
    private WorkspaceMembers Members => host.Portal.Services.GetRequiredService<WorkspaceMembers>();

    [Fact]
    public async Task An_admin_invites_changes_the_role_of_and_removes_a_member_and_each_change_is_audited()
    {
        var (admin, workspaceId) = await CreateWorkspaceAsync();
        await using var db = host.CreateDbContext();

        Assert.True((await Members.AddAsync(admin, workspaceId, " New.Person@Example.TEST ", WorkspaceRole.Member)).Succeeded);
        var invitation = await db.Memberships.SingleAsync(m => m.WorkspaceId == workspaceId && m.UserId == null);
        Assert.Equal("new.person@example.test", invitation.InvitedEmail);
        Assert.True((await Members.ChangeRoleAsync(admin, workspaceId, invitation.Id, WorkspaceRole.Admin)).Succeeded);
        Assert.True((await Members.RemoveAsync(admin, workspaceId, invitation.Id)).Succeeded);

        Assert.False(await db.Memberships.AnyAsync(m => m.Id == invitation.Id));
        var actions = await db.AuditEvents.Where(e => e.WorkspaceId == workspaceId).OrderBy(e => e.Id).Select(e => e.Action).ToListAsync();
        Assert.Equal([AuditActions.WorkspaceCreated, AuditActions.MemberAdded, AuditActions.MemberRoleChanged, AuditActions.MemberRemoved], actions);
    }

    [Fact]
    public async Task A_member_is_refused_member_management_and_the_refusal_is_audited()
    {
        var (admin, workspaceId) = await CreateWorkspaceAsync();
        var member = await JoinAsync(admin, workspaceId, WorkspaceRole.Member);
        var adminMembership = await MembershipIdAsync(workspaceId, admin.UserId);

        var add = await Members.AddAsync(member, workspaceId, "someone@example.test", WorkspaceRole.Admin);
        var demote = await Members.ChangeRoleAsync(member, workspaceId, adminMembership, WorkspaceRole.Member);
        var remove = await Members.RemoveAsync(member, workspaceId, adminMembership);

        Assert.All([add, demote, remove], r => Assert.Equal(MembershipOutcome.Forbidden, r.Outcome));
        await using var db = host.CreateDbContext();
        Assert.Equal(WorkspaceRole.Admin, await db.RoleOfAsync(workspaceId, admin.UserId));
        var refusals = await db.AuditEvents.Where(e => e.WorkspaceId == workspaceId && e.Action == AuditActions.AuthorizationFailed).ToListAsync();
        Assert.Equal(3, refusals.Count);
        Assert.All(refusals, e => Assert.Equal(member.UserId, e.ActorUserId));
        Assert.All(refusals, e => Assert.False(e.Succeeded));
        Assert.Contains(refusals, e => e.Details == AuditActions.MemberAdded);
    }

    [Fact]
    public async Task Someone_outside_the_workspace_gets_not_found_and_is_audited()
    {
        var (_, workspaceId) = await CreateWorkspaceAsync();
        await using var db = host.CreateDbContext();
        var stranger = await WorkspaceTestUsers.CreateAsync(db);

        var result = await Members.AddAsync(stranger, workspaceId, "friend@example.test", WorkspaceRole.Admin);

        Assert.Equal(MembershipOutcome.NotFound, result.Outcome);
        Assert.Null(await Members.ListAsync(stranger, workspaceId));
        Assert.True(await db.AuditEvents.AnyAsync(e => e.ActorUserId == stranger.UserId && e.Action == AuditActions.AuthorizationFailed));
    }

    [Fact]
    public async Task A_membership_of_another_workspace_cannot_be_changed_or_removed_through_this_one()
    {
        var (admin, workspaceId) = await CreateWorkspaceAsync();
        var (otherAdmin, otherWorkspaceId) = await CreateWorkspaceAsync();
        var otherMember = await JoinAsync(otherAdmin, otherWorkspaceId, WorkspaceRole.Member);
        var foreignMembership = await MembershipIdAsync(otherWorkspaceId, otherMember.UserId);

        var promote = await Members.ChangeRoleAsync(admin, workspaceId, foreignMembership, WorkspaceRole.Admin);
        var remove = await Members.RemoveAsync(admin, workspaceId, foreignMembership);

        Assert.Equal(MembershipOutcome.NotFound, promote.Outcome);
        Assert.Equal(MembershipOutcome.NotFound, remove.Outcome);
        await using var db = host.CreateDbContext();
        Assert.Equal(WorkspaceRole.Member, await db.RoleOfAsync(otherWorkspaceId, otherMember.UserId));
    }

    [Fact]
    public async Task The_last_admin_cannot_be_demoted_or_removed()
    {
        var (admin, workspaceId) = await CreateWorkspaceAsync();
        var adminMembership = await MembershipIdAsync(workspaceId, admin.UserId);

        var demote = await Members.ChangeRoleAsync(admin, workspaceId, adminMembership, WorkspaceRole.Member);
        var remove = await Members.RemoveAsync(admin, workspaceId, adminMembership);

        Assert.Equal(MembershipOutcome.Invalid, demote.Outcome);
        Assert.Contains("at least one Admin", demote.Error);
        Assert.Equal(MembershipOutcome.Invalid, remove.Outcome);
        await using var db = host.CreateDbContext();
        Assert.Equal(WorkspaceRole.Admin, await db.RoleOfAsync(workspaceId, admin.UserId));
    }

    [Fact]
    public async Task Two_admins_demoting_each_other_at_once_leave_one_admin()
    {
        var (first, workspaceId) = await CreateWorkspaceAsync();
        var second = await JoinAsync(first, workspaceId, WorkspaceRole.Admin);
        var firstMembership = await MembershipIdAsync(workspaceId, first.UserId);
        var secondMembership = await MembershipIdAsync(workspaceId, second.UserId);

        // Both demotions wait at the barrier, so they really start together.
        using var start = new Barrier(2);
        var results = await Task.WhenAll(
            Task.Run(() => { start.SignalAndWait(); return Members.ChangeRoleAsync(first, workspaceId, secondMembership, WorkspaceRole.Member); }),
            Task.Run(() => { start.SignalAndWait(); return Members.ChangeRoleAsync(second, workspaceId, firstMembership, WorkspaceRole.Member); }));

        Assert.Single(results, r => r.Succeeded);
        await using var db = host.CreateDbContext();
        Assert.Equal(1, await db.Memberships.CountAsync(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRole.Admin));
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("")]
    [InlineData("a@b@c")]
    public async Task An_invalid_email_is_refused_with_a_clear_message(string email)
    {
        var (admin, workspaceId) = await CreateWorkspaceAsync();

        var result = await Members.AddAsync(admin, workspaceId, email, WorkspaceRole.Member);

        Assert.Equal(MembershipOutcome.Invalid, result.Outcome);
        Assert.Equal("Enter a valid email address.", result.Error);
    }

    [Fact]
    public async Task An_email_with_a_NUL_or_an_unpaired_surrogate_is_refused_with_a_clear_message()
    {
        var (admin, workspaceId) = await CreateWorkspaceAsync();

        foreach (var email in new[] { "a\u0000b@example.org", "a\ud800@example.org", "ab@exa\udc00mple.org" })
        {
            var result = await Members.AddAsync(admin, workspaceId, email, WorkspaceRole.Member);
            Assert.Equal(MembershipOutcome.Invalid, result.Outcome);
            Assert.Equal("Enter a valid email address.", result.Error);
        }
    }

    [Fact]
    public async Task Inviting_the_same_email_twice_is_refused()
    {
        var (admin, workspaceId) = await CreateWorkspaceAsync();

        await Members.AddAsync(admin, workspaceId, "twice@example.test", WorkspaceRole.Member);
        var again = await Members.AddAsync(admin, workspaceId, "TWICE@example.test", WorkspaceRole.Admin);

        Assert.Equal(MembershipOutcome.Invalid, again.Outcome);
        Assert.Contains("already a member or invited", again.Error);
    }

    [Fact]
    public async Task Only_admins_can_read_the_audit_log_and_a_members_attempt_is_itself_audited()
    {
        var (admin, workspaceId) = await CreateWorkspaceAsync();
        var member = await JoinAsync(admin, workspaceId, WorkspaceRole.Member);
        var auditLog = host.Portal.Services.GetRequiredService<WorkspaceAuditLog>();

        var asAdmin = await auditLog.ListForAdminAsync(admin, workspaceId, 50);
        var asMember = await auditLog.ListForAdminAsync(member, workspaceId, 50);

        Assert.NotNull(asAdmin);
        Assert.Contains(asAdmin, e => e.Action == AuditActions.WorkspaceCreated);
        Assert.Null(asMember);
        await using var db = host.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.WorkspaceId == workspaceId && e.Action == AuditActions.AuthorizationFailed
            && e.Details == "audit.view" && e.ActorUserId == member.UserId));
    }

    private async Task<(Actor Admin, Guid WorkspaceId)> CreateWorkspaceAsync()
    {
        await using var db = host.CreateDbContext();
        var admin = await WorkspaceTestUsers.CreateAsync(db);
        await using var scope = host.Portal.Services.CreateAsyncScope();
        var result = await scope.ServiceProvider.GetRequiredService<WorkspaceCreator>()
            .CreateAsync(admin, $"Members {Guid.NewGuid():N}"[..20]);
        return (admin, result.WorkspaceId!.Value);
    }

    // A second person who was invited and has signed in.
    private async Task<Actor> JoinAsync(Actor admin, Guid workspaceId, WorkspaceRole role)
    {
        await using var db = host.CreateDbContext();
        var person = await WorkspaceTestUsers.CreateAsync(db);
        var email = (await db.Users.SingleAsync(u => u.Id == person.UserId)).Email!;
        Assert.True((await Members.AddAsync(admin, workspaceId, email, role)).Succeeded);
        await db.Memberships.Where(m => m.WorkspaceId == workspaceId && m.InvitedEmail == email)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.UserId, person.UserId));
        return person;
    }

    private async Task<Guid> MembershipIdAsync(Guid workspaceId, Guid userId)
    {
        await using var db = host.CreateDbContext();
        return await db.Memberships.Where(m => m.WorkspaceId == workspaceId && m.UserId == userId).Select(m => m.Id).SingleAsync();
    }
}
