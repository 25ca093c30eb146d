using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;

namespace Datakeen.Portal.ApiKeys;

// Seam for workspace creation: issues the four keys of a new workspace (Test/Production × Public/Secret)
// inside the caller's transaction and saves them. The plaintexts are returned for the caller's use only.
public sealed class ApiKeyProvisioner(ApiKeyIssuer issuer) : IWorkspaceProvisioning
{
    public Task ProvisionAsync(PortalDbContext db, Guid workspaceId, Guid? createdByUserId, CancellationToken ct) =>
        IssueInitialKeysAsync(db, workspaceId, createdByUserId, ct);

    public async Task<IReadOnlyList<IssuedKey>> IssueInitialKeysAsync(PortalDbContext db, Guid workspaceId,
        Guid? createdByUserId, CancellationToken ct = default)
    {
        IssuedKey[] issued =
        [
            issuer.Issue(workspaceId, KeyEnvironment.Test, KeyKind.Public, createdByUserId),
            issuer.Issue(workspaceId, KeyEnvironment.Test, KeyKind.Secret, createdByUserId),
            issuer.Issue(workspaceId, KeyEnvironment.Production, KeyKind.Public, createdByUserId),
            issuer.Issue(workspaceId, KeyEnvironment.Production, KeyKind.Secret, createdByUserId),
        ];
        db.ApiKeys.AddRange(issued.Select(k => k.Key));
        await db.SaveChangesAsync(ct);
        return issued;
    }
}
