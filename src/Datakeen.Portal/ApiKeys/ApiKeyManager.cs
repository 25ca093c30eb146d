using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Infrastructure.Telemetry;
using Datakeen.Portal.Notifications;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Datakeen.Portal.ApiKeys;

// The key operations of the API & Docs tab. Every method checks the actor's role itself: a Blazor event
// handler is an entry point like any endpoint.
public sealed class ApiKeyManager(
    IDbContextFactory<PortalDbContext> contextFactory,
    ApiKeyIssuer issuer,
    ApiKeySecrets secrets,
    ApiKeyVerifier verifier,
    AuditLog audit,
    KeyMail mail,
    IOptionsMonitor<ApiKeyOptions> options,
    StepUp stepUp,
    TimeProvider time) : IApiKeyManager
{
    private const string NotFoundMessage = "This key does not exist.";
    private const string RotateToGetANewOne =
        "This secret key can no longer be shown: only its hash is kept. Rotate it to get a new one.";

    public async Task<IReadOnlyList<ApiKeyView>> ListAsync(Guid workspaceId, Actor actor, CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        if (await db.GetRoleAsync(workspaceId, actor.UserId, ct) is not { } role)
        {
            return [];
        }

        var now = time.GetUtcNow();
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.WorkspaceId == workspaceId && (k.RevokedAt == null || k.ExpiresAt > now))
            .OrderBy(k => k.Environment).ThenBy(k => k.Kind).ThenByDescending(k => k.CreatedAt)
            .ToListAsync(ct);
        return keys.Select(k => ToView(k, role)).ToList();
    }

    public async Task<KeyAccessResult> GetPlaintextAsync(Guid workspaceId, Guid keyId, KeyAccessPurpose purpose,
        Actor actor, CancellationToken ct = default)
    {
        var action = purpose == KeyAccessPurpose.Copy ? AuditActions.KeyCopied : AuditActions.KeyRevealed;
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        var role = await db.GetRoleAsync(workspaceId, actor.UserId, ct);
        var key = role is null
            ? null
            : await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == keyId && k.WorkspaceId == workspaceId, ct);
        if (key is null)
        {
            return KeyAccessResult.Fail(KeyAccessOutcome.NotFound, NotFoundMessage);
        }

        var target = TargetOf(key);
        if (!IsUsable(key, time.GetUtcNow()))
        {
            return KeyAccessResult.Fail(KeyAccessOutcome.NoLongerRevealable, "This key has expired: it no longer works and cannot be shown.");
        }

        if (key.Kind == KeyKind.Public)
        {
            audit.Add(db, action, actor, workspaceId, target);
            await db.SaveChangesAsync(ct);
            return KeyAccessResult.Ok(key.PublicValue!);
        }

        if (role != WorkspaceRole.Admin)
        {
            await audit.WriteRefusalAsync(actor, workspaceId, action, target, ct);
            return KeyAccessResult.Fail(KeyAccessOutcome.Forbidden, "Only an Admin of the workspace can see its secret keys.");
        }

        var policy = options.CurrentValue.PolicyFor(key.Environment);
        if (policy == RevealPolicy.Never)
        {
            return KeyAccessResult.Fail(KeyAccessOutcome.NoLongerRevealable, RotateToGetANewOne);
        }

        switch (await stepUp.CheckAsync(actor, needsRecentSignIn: key.Environment == KeyEnvironment.Production, ct))
        {
            case ActorCheck.SessionEnded:
                return KeyAccessResult.Fail(KeyAccessOutcome.SessionEnded, StepUp.SessionEndedMessage);
            case ActorCheck.ReauthenticationRequired:
                return KeyAccessResult.Fail(KeyAccessOutcome.ReauthenticationRequired, StepUp.ReauthenticationMessage);
        }

        // The row lock makes "first reveal" a single winner: a parallel second reveal waits, then sees no ciphertext.
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var locked = (await db.ApiKeys
            .FromSql($"SELECT * FROM api_keys WHERE id = {keyId} AND workspace_id = {workspaceId} FOR UPDATE")
            .ToListAsync(ct)).Single();
        if (locked.ProtectedSecret is null || !IsUsable(locked, time.GetUtcNow()))
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

    public async Task<KeyRotationResult> RotateAsync(Guid workspaceId, Guid keyId, TimeSpan? gracePeriod, Actor actor,
        CancellationToken ct = default)
    {
        var grace = gracePeriod ?? TimeSpan.Zero;
        if (!KeyCapabilities.IsAllowedGracePeriod(grace))
        {
            return Rotation(KeyRotationOutcome.InvalidGracePeriod,
                "The old key can stay valid for 1 hour, 24 hours or 7 days, or stop working immediately.");
        }

        await using var db = await contextFactory.CreateDbContextAsync(ct);
        var role = await db.GetRoleAsync(workspaceId, actor.UserId, ct);
        if (role is null)
        {
            return Rotation(KeyRotationOutcome.NotFound, NotFoundMessage);
        }

        if (role != WorkspaceRole.Admin)
        {
            var hint = await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId && k.WorkspaceId == workspaceId)
                .Select(k => k.Prefix + "…" + k.LastFour).SingleOrDefaultAsync(ct);
            await audit.WriteRefusalAsync(actor, workspaceId, AuditActions.KeyRotated, hint is null ? $"{keyId}" : $"{keyId} {hint}", ct);
            return Rotation(KeyRotationOutcome.Forbidden, "Only an Admin of the workspace can rotate its keys.");
        }

        switch (await stepUp.CheckAsync(actor, needsRecentSignIn: true, ct))
        {
            case ActorCheck.SessionEnded:
                return Rotation(KeyRotationOutcome.SessionEnded, StepUp.SessionEndedMessage);
            case ActorCheck.ReauthenticationRequired:
                return Rotation(KeyRotationOutcome.ReauthenticationRequired, StepUp.ReauthenticationMessage);
        }

        try
        {
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var old = (await db.ApiKeys
                .FromSql($"SELECT * FROM api_keys WHERE id = {keyId} AND workspace_id = {workspaceId} FOR UPDATE")
                .ToListAsync(ct)).SingleOrDefault();
            if (old is null)
            {
                return Rotation(KeyRotationOutcome.NotFound, NotFoundMessage);
            }

            if (!old.IsActive)
            {
                return Rotation(KeyRotationOutcome.Stale,
                    "This key has already been rotated. Reload to see the current key; nothing was changed.");
            }

            var issued = await ReplaceAsync(db, old, grace, actor.UserId, revealedNow: true, ct);
            audit.Add(db, AuditActions.KeyRotated, actor, workspaceId, TargetOf(old), RotationDetails(grace, issued));
            await mail.KeyRotatedAsync(db, old, actor, time.GetUtcNow(), ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);

            verifier.EvictWorkspace(workspaceId);
            PortalTelemetry.KeyRotations.Add(1, new("environment", old.Environment.ToString()), new("kind", old.Kind.ToString()));
            return new KeyRotationResult(KeyRotationOutcome.Rotated, ToView(issued.Key, WorkspaceRole.Admin), issued.Plaintext, null);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException
        {
            SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ux_api_keys_one_active",
        })
        {
            // The database's last line of defence against a second active key.
            return Rotation(KeyRotationOutcome.Stale,
                "This key has already been rotated. Reload to see the current key; nothing was changed.");
        }
    }

    // Rotation by the portal itself (a leak report) or by Datakeen support (the rotate-key verb), inside the
    // caller's transaction, which also writes the audit event and the mail that explain it. Locks the key; null
    // when it is not active (already rotated or revoked): nothing is changed then. The caller commits, then
    // calls AfterCommit.
    public async Task<IssuedKey?> RotateOnBehalfAsync(PortalDbContext db, Guid workspaceId, Guid keyId,
        CancellationToken ct = default)
    {
        var old = (await db.ApiKeys
            .FromSql($"SELECT * FROM api_keys WHERE id = {keyId} AND workspace_id = {workspaceId} FOR UPDATE")
            .ToListAsync(ct)).SingleOrDefault();
        return old is { IsActive: true } ? await ReplaceAsync(db, old, TimeSpan.Zero, createdByUserId: null, revealedNow: false, ct) : null;
    }

    // This instance stops accepting the replaced key at once; the NOTIFY tells the others on commit.
    public void AfterCommit(Guid workspaceId) => verifier.EvictWorkspace(workspaceId);

    internal static string RotationDetails(TimeSpan grace, IssuedKey issued) =>
        $"grace={FormatGrace(grace)}; replacedBy={issued.Key.Id} {KeyDisplay.Hint(issued.Key.Prefix, issued.Key.LastFour)}";

    // The old key (locked, active) stops being active and a new one takes its place; the change is announced
    // to every instance when the caller's transaction commits.
    // revealedNow: the new plaintext is shown to the caller (a user's rotation); otherwise nobody has seen it
    // yet, and the workspace's admins reveal it on the tab under the reveal policy.
    private async Task<IssuedKey> ReplaceAsync(PortalDbContext db, ApiKey old, TimeSpan grace, Guid? createdByUserId,
        bool revealedNow, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        old.RevokedAt = now;
        old.ExpiresAt = now + grace;
        // The old row stops being active first, so the unique "one active key" index admits the new one.
        await db.SaveChangesAsync(ct);

        var issued = issuer.Issue(old.WorkspaceId, old.Environment, old.Kind, createdByUserId, revealedNow);
        db.ApiKeys.Add(issued.Key);
        old.ReplacedByKeyId = issued.Key.Id;
        await db.NotifyAsync(ChangeFeed.KeyChannel, ChangePayload.For(old.WorkspaceId, old.Id.ToString("D")), ct);
        return issued;
    }

    private ApiKeyView ToView(ApiKey key, WorkspaceRole role)
    {
        var plaintextKept = key.Kind == KeyKind.Public ||
            (key.ProtectedSecret is not null && options.CurrentValue.PolicyFor(key.Environment) != RevealPolicy.Never);
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
            KeyCapabilities.For(options.CurrentValue, key.Environment, key.Kind, role, plaintextKept));
    }

    private static bool IsUsable(ApiKey key, DateTimeOffset now) => key.RevokedAt is null || key.ExpiresAt > now;

    internal static string TargetOf(ApiKey key) => $"{key.Id} {KeyDisplay.Hint(key.Prefix, key.LastFour)}";

    private static string FormatGrace(TimeSpan grace) => grace == TimeSpan.Zero ? "immediate" : grace.ToString("c");

    private static KeyRotationResult Rotation(KeyRotationOutcome outcome, string message) => new(outcome, null, null, message);
}
