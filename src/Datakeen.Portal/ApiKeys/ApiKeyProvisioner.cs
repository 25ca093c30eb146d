using Datakeen.Portal.Data;

namespace Datakeen.Portal.ApiKeys;

// Seam for workspace creation: issues the four keys of a new workspace inside the caller's transaction.
// TODO(keys issue): implement with KeyFormat + hashing + Data Protection.
public sealed class ApiKeyProvisioner
{
    public Task IssueInitialKeysAsync(PortalDbContext db, Guid workspaceId, Guid? createdByUserId, CancellationToken ct = default) =>
        Task.CompletedTask;
}
