using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.ApiKeys;

// The one row lock of a key. Everything that changes a key after it was issued — a reveal that erases its
// ciphertext, a rotation, a leak response — takes it first, inside its transaction, so two of them on one key
// run one after the other and the second sees what the first did.
public static class ApiKeyRows
{
    // The key, tracked and locked until the caller's transaction ends; null when the workspace has no such key.
    public static async Task<ApiKey?> LockAsync(PortalDbContext db, Guid workspaceId, Guid keyId, CancellationToken ct)
    {
        if (db.Database.CurrentTransaction is null)
        {
            throw new InvalidOperationException("A key is locked inside a transaction.");
        }

        return (await db.ApiKeys
            .FromSql($"SELECT * FROM api_keys WHERE id = {keyId} AND workspace_id = {workspaceId} FOR UPDATE")
            .ToListAsync(ct)).SingleOrDefault();
    }
}
