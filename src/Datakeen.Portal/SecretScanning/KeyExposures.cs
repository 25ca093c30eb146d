using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.SecretScanning;

public enum KeyExposureKind
{
    // The key itself was found in public and still works (a Production secret): rotate it.
    Exposed,

    // The key replaced one that was found in public (a Test secret, revoked and replaced at once).
    ReplacedAfterLeak,
}

public sealed record KeyExposure(KeyExposureKind Kind, string Url, DateTimeOffset FoundAt);

// What the tab shows about leaks, per key: for members of the workspace only (null for anyone else).
public interface IKeyExposures
{
    Task<KeyExposure?> FindAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default);
}

public sealed class KeyExposures(IDbContextFactory<PortalDbContext> contexts) : IKeyExposures
{
    public async Task<KeyExposure?> FindAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.GetRoleAsync(workspaceId, actor.UserId, ct) is null)
        {
            return null;
        }

        var found = await db.ApiKeys.AsNoTracking()
            .Where(k => k.WorkspaceId == workspaceId && k.ExposedAt != null && k.ExposedUrl != null &&
                        ((k.Id == keyId && k.RevokedAt == null) || k.ReplacedByKeyId == keyId))
            .Select(k => new { k.Id, k.ExposedUrl, k.ExposedAt })
            .FirstOrDefaultAsync(ct);
        return found is null
            ? null
            : new KeyExposure(found.Id == keyId ? KeyExposureKind.Exposed : KeyExposureKind.ReplacedAfterLeak,
                found.ExposedUrl!, found.ExposedAt!.Value);
    }
}
