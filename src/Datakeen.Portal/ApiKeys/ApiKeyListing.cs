using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys;

// The keys of a workspace as its members see them: never a secret's plaintext, always what this caller may do
// with each key (KeyCapabilities), and where a key was found in public.
public sealed class ApiKeyListing(
    IDbContextFactory<PortalDbContext> contexts,
    WorkspaceGuard guard,
    IOptionsMonitor<ApiKeyOptions> options,
    TimeProvider time)
{
    // The active key of each (environment, kind), plus keys still inside a rotation grace period; empty for
    // anyone who may not read the workspace.
    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(Guid workspaceId, Actor actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pass = await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Member, ct);
        if (!pass.IsAllowed)
        {
            return [];
        }

        // One read: the keys that still work, and the replaced keys that were found in public (their leak is shown
        // on the key that replaced them).
        var now = time.GetUtcNow();
        var rows = await db.ApiKeys.AsNoTracking()
            .Where(k => k.WorkspaceId == workspaceId)
            .Where(ApiKey.UsableAt(now, orElse: k => k.ExposedAt != null && k.ReplacedByKeyId != null))
            .OrderBy(k => k.Environment).ThenBy(k => k.Kind).ThenByDescending(k => k.CreatedAt)
            .ToListAsync(ct);
        var leakedBefore = rows.Where(k => !k.IsUsableAt(now)).ToList();
        return rows.Where(k => k.IsUsableAt(now)).Select(k =>
        {
            var exposure = k is { ExposedAt: { } at, ExposedUrl: { } url, RevokedAt: null }
                ? new KeyExposure(KeyExposureKind.Exposed, url, at) { LeakedKeyId = k.Id }
                : leakedBefore.FirstOrDefault(r => r.ReplacedByKeyId == k.Id && r.ExposedUrl is not null) is { } leak
                    ? new KeyExposure(KeyExposureKind.ReplacedAfterLeak, leak.ExposedUrl!, leak.ExposedAt!.Value) { LeakedKeyId = leak.Id }
                    : null;
            return ToView(k, pass.Role!.Value, exposure);
        }).ToList();
    }

    internal ApiKeyView ToView(ApiKey key, WorkspaceRole role, KeyExposure? exposure = null)
    {
        var current = options.CurrentValue;
        var plaintextKept = key.Kind == KeyKind.Public ||
            (key.ProtectedSecret is not null && current.PolicyFor(key.Environment) != RevealPolicy.Never);
        return new ApiKeyView(
            key.Id,
            key.Environment,
            key.Kind,
            KeyDisplay.Masked(key.Prefix, key.LastFour),
            key.CreatedAt,
            key.LastUsedAt,
            key.IsActive,
            key.ExpiresAt,
            plaintextKept,
            KeyCapabilities.For(current, key.Environment, key.Kind, role, plaintextKept))
        {
            Exposure = key.Kind == KeyKind.Secret ? exposure : null,
            AllowedOrigins = key.AllowedOrigins,
            GraceAwaitsFirstUse = key.GraceAwaitsFirstUse,
        };
    }
}
