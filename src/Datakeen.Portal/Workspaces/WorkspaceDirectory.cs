using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Workspaces;

public sealed record WorkspaceSummary(Guid Id, string Name, string Slug, WorkspaceRole Role);

// The workspaces a user can see. A workspace they are not a member of is simply not found.
public sealed class WorkspaceDirectory(IDbContextFactory<PortalDbContext> contextFactory)
{
    public async Task<WorkspaceSummary?> FindForUserAsync(Guid userId, string? slug, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(slug) || slug.Length > 64)
        {
            return null;
        }

        await using var db = await contextFactory.CreateDbContextAsync(ct);
        return await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId && m.Workspace!.Slug == slug)
            .Select(m => new WorkspaceSummary(m.WorkspaceId, m.Workspace!.Name, m.Workspace.Slug, m.Role))
            .SingleOrDefaultAsync(ct);
    }

    // Where `/` takes the user: the workspace they used last while still a member of it, else the first.
    public async Task<WorkspaceSummary?> FindHomeAsync(Guid userId, CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        var lastUsed = await db.Users.Where(u => u.Id == userId).Select(u => u.LastWorkspaceId).SingleOrDefaultAsync(ct);
        return await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId)
            .OrderByDescending(m => m.WorkspaceId == lastUsed).ThenBy(m => m.Workspace!.Name).ThenBy(m => m.Workspace!.Slug)
            .Select(m => new WorkspaceSummary(m.WorkspaceId, m.Workspace!.Name, m.Workspace.Slug, m.Role))
            .FirstOrDefaultAsync(ct);
    }

    // Called when a workspace page opens; writes only when the workspace changes.
    public async Task RememberLastUsedAsync(Guid userId, Guid workspaceId, CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == userId && u.LastWorkspaceId != workspaceId)
            .ExecuteUpdateAsync(u => u.SetProperty(x => x.LastWorkspaceId, workspaceId), ct);
    }
}
