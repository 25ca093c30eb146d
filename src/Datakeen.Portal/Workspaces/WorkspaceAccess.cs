using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Workspaces;

public static class WorkspaceAccess
{
    // The user's role in the workspace, or null when they are not a member (callers answer 404 then).
    public static Task<WorkspaceRole?> GetRoleAsync(this PortalDbContext db, Guid workspaceId, Guid userId,
        CancellationToken ct = default) =>
        db.Memberships.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.UserId == userId)
            .Select(m => (WorkspaceRole?)m.Role)
            .SingleOrDefaultAsync(ct);
}
