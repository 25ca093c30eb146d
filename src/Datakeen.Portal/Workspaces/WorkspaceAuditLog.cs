using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Workspaces;

// The one read of the audit log: a workspace's events, for its Admins only (docs/architecture.md). Lives
// with the workspaces because the rule is a workspace role; the log itself only records.
public sealed class WorkspaceAuditLog(IDbContextFactory<PortalDbContext> contextFactory, WorkspaceGuard guard)
{
    public const string ViewAction = "audit.view";

    // Null for anyone but an Admin of the workspace, and the attempt is itself recorded as a refused action.
    public async Task<IReadOnlyList<AuditEvent>?> ListForAdminAsync(Actor actor, Guid workspaceId, int take,
        CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        if (!(await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Admin(ViewAction), ct)).IsAllowed)
        {
            return null;
        }

        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId)
            .OrderByDescending(e => e.Id)
            .Take(take)
            .ToListAsync(ct);
    }
}
