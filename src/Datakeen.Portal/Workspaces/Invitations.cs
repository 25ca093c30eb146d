using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Workspaces;

public sealed record PendingInvitation(Guid Id, string WorkspaceName, string WorkspaceSlug, WorkspaceRole Role, string? InvitedBy,
    DateTimeOffset InvitedAt);

public enum InvitationOutcome
{
    Accepted,
    Declined,
    // Not an invitation for this user (another address, unverified address, already answered).
    NotFound,
    // The browser session behind the answer has ended.
    SessionEnded,
}

// Invitations sent by a workspace admin wait here until the invited person accepts or declines them
// (/invitations). They are matched on the address the provider asserted as verified, never on a typed one.
public sealed class Invitations(IDbContextFactory<PortalDbContext> contextFactory, WorkspaceGuard guard, AuditLog auditLog)
{
    public async Task<IReadOnlyList<PendingInvitation>> ListPendingAsync(Actor actor, CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        return await Pending(db, actor.UserId)
            .OrderByDescending(m => m.CreatedAt)
            .Select(m => new PendingInvitation(m.Id, m.Workspace!.Name, m.Workspace.Slug, m.Role,
                db.Users.Where(u => u.Id == m.InvitedByUserId).Select(u => u.DisplayName ?? u.Email).FirstOrDefault(),
                m.CreatedAt))
            .ToListAsync(ct);
    }

    public async Task<int> CountPendingAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        return await Pending(db, userId).CountAsync(ct);
    }

    public async Task<(InvitationOutcome Outcome, string? Slug)> AnswerAsync(Actor actor, Guid invitationId, bool accept,
        CancellationToken ct = default)
    {
        if (await guard.CheckSessionAsync(actor, ct) != WorkspaceRefusal.None)
        {
            return (InvitationOutcome.SessionEnded, null);
        }

        await using var db = await contextFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var invitation = await Pending(db, actor.UserId)
            .Where(m => m.Id == invitationId)
            .Select(m => new { Membership = m, m.Workspace!.Slug, AlreadyMember = db.Memberships.Any(x => x.WorkspaceId == m.WorkspaceId && x.UserId == actor.UserId) })
            .SingleOrDefaultAsync(ct);
        if (invitation is null)
        {
            return (InvitationOutcome.NotFound, null);
        }

        var membership = invitation.Membership;
        var target = membership.InvitedEmail!;
        if (accept && !invitation.AlreadyMember)
        {
            membership.UserId = actor.UserId;
            auditLog.Add(db, AuditActions.InvitationAccepted, actor, membership.WorkspaceId, target, $"role: {membership.Role}");
        }
        else
        {
            db.Memberships.Remove(membership);
            auditLog.Add(db, accept ? AuditActions.InvitationAccepted : AuditActions.InvitationDeclined, actor,
                membership.WorkspaceId, target, accept ? "already a member" : null);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return accept ? (InvitationOutcome.Accepted, invitation.Slug) : (InvitationOutcome.Declined, null);
    }

    // The one definition of "pending for this user": also composed into the user menu's read (UserMenuRead).
    internal static IQueryable<Membership> Pending(PortalDbContext db, Guid userId) =>
        from m in db.Memberships
        join u in db.Users on userId equals u.Id
        where m.UserId == null && u.EmailVerified && u.Email != null && m.InvitedEmail == u.Email.ToLower()
        select m;
}
