using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys;

// Reveal and copy: the plaintext of a key, to this caller only, under the reveal policy, audited.
public sealed class SecretReveal(
    IDbContextFactory<PortalDbContext> contexts,
    WorkspaceGuard guard,
    ApiKeySecrets secrets,
    AuditLog audit,
    KeyMail mail,
    IOptionsMonitor<ApiKeyOptions> options,
    TimeProvider time)
{
    public const string RotateToGetANewOne =
        "This secret key can no longer be shown: only its hash is kept. Rotate it to get a new one.";

    public async Task<KeyAccessResult> GetPlaintextAsync(Guid workspaceId, Guid keyId, KeyAccessPurpose purpose,
        Actor actor, CancellationToken ct = default)
    {
        var action = purpose == KeyAccessPurpose.Copy ? AuditActions.KeyCopied : AuditActions.KeyRevealed;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == keyId && k.WorkspaceId == workspaceId, ct);
        var target = key is null ? $"{keyId}" : KeyRotation.TargetOf(key);
        // A public key is for any member; a secret for Admins, and a Production secret after a recent sign-in.
        var demand = key is { Kind: KeyKind.Public }
            ? WorkspaceDemand.MemberAction(action, target)
            : WorkspaceDemand.Admin(action, target, recentSignIn: key?.Environment == KeyEnvironment.Production);
        var pass = await guard.CheckAsync(db, workspaceId, actor, demand, ct);
        if (pass.Refusal == WorkspaceRefusal.NotFound || (key is null && pass.IsAllowed))
        {
            return KeyAccessResult.Fail(KeyAccessOutcome.NotFound, KeyRotation.NotFoundMessage);
        }

        if (!pass.IsAllowed)
        {
            return KeyAccessResult.Fail(pass.Refusal switch
            {
                WorkspaceRefusal.Forbidden => KeyAccessOutcome.Forbidden,
                WorkspaceRefusal.ReauthenticationRequired => KeyAccessOutcome.ReauthenticationRequired,
                _ => KeyAccessOutcome.SessionEnded,
            }, pass.Refusal == WorkspaceRefusal.Forbidden ? "Only an Admin of the workspace can see its secret keys." : pass.Message);
        }

        if (!key!.IsUsableAt(time.GetUtcNow()))
        {
            return KeyAccessResult.Fail(KeyAccessOutcome.NoLongerRevealable, "This key has expired: it no longer works and cannot be shown.");
        }

        if (key.Kind == KeyKind.Public)
        {
            audit.Add(db, action, actor, workspaceId, target);
            await db.SaveChangesAsync(ct);
            return KeyAccessResult.Ok(key.PublicValue!);
        }

        var policy = options.CurrentValue.PolicyFor(key.Environment);
        if (policy == RevealPolicy.Never)
        {
            return KeyAccessResult.Fail(KeyAccessOutcome.NoLongerRevealable, RotateToGetANewOne);
        }

        // The row lock makes "first reveal" a single winner: a parallel second reveal waits, then sees no ciphertext.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var locked = await ApiKeyRows.LockAsync(db, workspaceId, keyId, ct);
        if (locked?.ProtectedSecret is null || !locked.IsUsableAt(time.GetUtcNow()))
        {
            return KeyAccessResult.Fail(KeyAccessOutcome.NoLongerRevealable, RotateToGetANewOne);
        }

        var plaintext = secrets.Unprotect(locked.ProtectedSecret);
        locked.FirstRevealedAt ??= time.GetUtcNow();
        if (policy == RevealPolicy.Once)
        {
            locked.ProtectedSecret = null;
        }

        audit.Add(db, action, actor, workspaceId, target, policy == RevealPolicy.Once ? "policy=Once; erased" : $"policy={policy}");
        if (locked.Environment == KeyEnvironment.Production)
        {
            await mail.SecretRevealedAsync(db, locked, actor, time.GetUtcNow(), purpose == KeyAccessPurpose.Copy ? "copied" : "revealed", ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return KeyAccessResult.Ok(plaintext);
    }
}
