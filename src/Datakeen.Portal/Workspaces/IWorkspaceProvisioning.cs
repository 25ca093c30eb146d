using Datakeen.Portal.Data;

namespace Datakeen.Portal.Workspaces;

// What another feature sets up for a new workspace (its keys, its welcome credits), inside the creation's
// transaction: WorkspaceCreator runs every registered step, so Workspaces depends on no feature above it.
public interface IWorkspaceProvisioning
{
    // Saves within the caller's transaction; publishes nothing (the workspace is not committed yet).
    Task ProvisionAsync(PortalDbContext db, Guid workspaceId, Guid? createdByUserId, CancellationToken ct);
}
