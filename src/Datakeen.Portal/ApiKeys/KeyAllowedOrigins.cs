using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.ApiKeys;

public enum AllowedOriginsOutcome
{
    Saved,
    Invalid,
    NotFound,
    Forbidden,
    SessionEnded,
}

public sealed record AllowedOriginsResult(AllowedOriginsOutcome Outcome, IReadOnlyList<string> Origins, string? Message);

// An Admin's list of the web origins allowed to use a public key (docs/key-activity.md, "Allowed websites"). Saved
// under the key row lock, audited, and announced on the key channel: every instance evicts the workspace from its
// verifier cache when it commits, so the new list applies everywhere within the change feed's delay, as a revocation.
public sealed class KeyAllowedOrigins(
    IDbContextFactory<PortalDbContext> contexts,
    WorkspaceGuard guard,
    ApiKeyVerifier verifier,
    AuditLog audit)
{
    public async Task<AllowedOriginsResult> SaveAsync(Guid workspaceId, Guid keyId, IReadOnlyList<string> entries, Actor actor,
        CancellationToken ct = default)
    {
        var normalized = new List<string>();
        foreach (var entry in entries)
        {
            if (!OriginAllowList.TryNormalize(entry, out var origin, out var error))
            {
                return new AllowedOriginsResult(AllowedOriginsOutcome.Invalid, [], $"{entry.Trim()}: {error}");
            }

            if (!normalized.Contains(origin, StringComparer.Ordinal))
            {
                normalized.Add(origin);
            }
        }

        if (normalized.Count > OriginAllowList.MaxEntries)
        {
            return new AllowedOriginsResult(AllowedOriginsOutcome.Invalid, [],
                $"A key allows at most {OriginAllowList.MaxEntries} websites; use a wildcard (https://*.example.com) for subdomains.");
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        var pass = await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Admin(AuditActions.KeyOriginsChanged, $"{keyId}"), ct);
        if (!pass.IsAllowed)
        {
            return new AllowedOriginsResult(pass.Refusal switch
            {
                WorkspaceRefusal.NotFound => AllowedOriginsOutcome.NotFound,
                WorkspaceRefusal.Forbidden => AllowedOriginsOutcome.Forbidden,
                _ => AllowedOriginsOutcome.SessionEnded,
            }, [], pass.Message);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var key = await ApiKeyRows.LockAsync(db, workspaceId, keyId, ct);
        if (key is null || key.Kind != KeyKind.Public)
        {
            return new AllowedOriginsResult(AllowedOriginsOutcome.NotFound, [], "Only a public key of this workspace has allowed websites.");
        }

        var before = key.AllowedOrigins;
        key.AllowedOrigins = [.. normalized];
        await db.NotifyAsync(ChangeFeed.KeyChannel, ChangePayload.For(workspaceId, key.Id.ToString("D")), ct);
        audit.Add(db, AuditActions.KeyOriginsChanged, actor, workspaceId, KeyRotation.TargetOf(key),
            StorableText.Sanitize($"before=[{string.Join(' ', before)}]; after=[{string.Join(' ', normalized)}]"));
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        verifier.EvictWorkspace(workspaceId);
        return new AllowedOriginsResult(AllowedOriginsOutcome.Saved, normalized, null);
    }
}
