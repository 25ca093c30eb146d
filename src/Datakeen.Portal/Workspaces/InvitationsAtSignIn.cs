using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Workspaces;

// At sign-in, the operator's invitations waiting for the person's address attach, but only when the provider
// asserts that the address is verified (otherwise anyone could claim an invitation by typing an address). Only
// invitations of the operator (demo data, invited_by_user_id NULL) attach here; an invitation sent by a person
// waits on /invitations for Accept (Invitations), so nobody lands in a look-alike workspace without choosing to.
public sealed class InvitationsAtSignIn(AuditLog auditLog, ILogger<InvitationsAtSignIn> logger) : ISignInStep
{
    public async Task OnSignedInAsync(PortalDbContext db, SignedInPerson person, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(person.VerifiedEmail))
        {
            return;
        }

        var (id, email) = (person.UserId, person.VerifiedEmail);
        // Skips a workspace where the user is already a member.
        var attached = await db.Database.SqlQuery<Guid>($"""
            UPDATE memberships m SET user_id = {id}
            WHERE m.user_id IS NULL AND m.invited_by_user_id IS NULL AND lower(m.invited_email) = lower({email})
              AND NOT EXISTS (SELECT 1 FROM memberships x WHERE x.workspace_id = m.workspace_id AND x.user_id = {id})
            RETURNING m.workspace_id AS "Value"
            """).ToListAsync(ct);
        // The person's session is being created: the audit names them without one.
        var actor = new Actor(id, person.DisplayName, person.Connection?.IpAddress, person.Connection?.UserAgent);
        foreach (var workspaceId in attached)
        {
            auditLog.Add(db, AuditActions.MemberAdded, actor, workspaceId, email, "invitation accepted at sign-in");
        }

        await db.SaveChangesAsync(ct);
        if (attached.Count > 0)
        {
            logger.LogInformation("User {UserId} joined {Count} workspace(s) by invitation", id, attached.Count);
        }
    }
}
