using Datakeen.Portal.Auditing;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Infrastructure.Telemetry;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.ApiKeys;

// A rotation that happened: the replaced key (now revoked, or expiring after its grace period) and the new one.
public sealed record RotatedKey(ApiKey Old, IssuedKey New);

// The one way a key is rotated, whoever asks (docs/architecture.md, "Rotation"): the tab's dialog, a leak report
// and Datakeen support. Lock the key once, replace it, announce it to every instance, audit it with its cause, mail
// the admins, and after the commit stop accepting the old key on this instance at once.
public sealed class KeyRotation(
    IDbContextFactory<PortalDbContext> contexts,
    WorkspaceGuard guard,
    ApiRateLimits rateLimits,
    ApiKeyIssuer issuer,
    ApiKeyListing listing,
    ApiKeyVerifier verifier,
    AuditLog audit,
    KeyMail mail,
    TimeProvider time)
{
    public const string GracePeriodMessage =
        "The old key can stay valid for 1 hour, 24 hours or 7 days, until the new key is first used (at most 7 days), " +
        "or stop working immediately.";

    public const string NotInGraceMessage =
        "This key is not in a grace period any more: it already stopped working. Nothing was changed.";

    public const string StaleMessage =
        "This key has already been rotated. Reload to see the current key; nothing was changed.";

    public const string NotFoundMessage = "This key does not exist.";

    // An Admin's rotation from the tab: guarded (Admin, live session, recent sign-in), limited per workspace.
    public async Task<KeyRotationResult> RotateAsync(Guid workspaceId, Guid keyId, TimeSpan? gracePeriod, Auth.Actor actor,
        CancellationToken ct = default)
    {
        var grace = gracePeriod ?? TimeSpan.Zero;
        if (!KeyCapabilities.IsAllowedGracePeriod(grace))
        {
            return Refused(KeyRotationOutcome.InvalidGracePeriod, GracePeriodMessage);
        }

        var pass = await guard.CheckAsync(workspaceId, actor,
            WorkspaceDemand.Admin(AuditActions.KeyRotated, $"{keyId}", recentSignIn: true), ct);
        if (!pass.IsAllowed)
        {
            return Refused(pass);
        }

        if (await rateLimits.AcquireRotationAsync(workspaceId, ct) is { } wait)
        {
            var minutes = Math.Max(1, (int)Math.Ceiling(wait.TotalMinutes));
            return Refused(KeyRotationOutcome.RateLimited,
                $"This workspace's keys were rotated too often in the last hour. Try again in {minutes} minute{(minutes == 1 ? "" : "s")}, " +
                "or contact support if a key is compromised.");
        }

        var (outcome, rotated) = await RotateInOwnTransactionAsync(workspaceId, keyId, grace, new RotationCause.ByAdmin(actor), ct);
        return outcome switch
        {
            KeyRotationOutcome.Rotated => new KeyRotationResult(KeyRotationOutcome.Rotated,
                listing.ToView(rotated!.New.Key, WorkspaceRole.Admin), rotated.New.Plaintext, null,
                listing.ToView(rotated.Old, WorkspaceRole.Admin)),
            KeyRotationOutcome.NotFound => Refused(outcome, NotFoundMessage),
            _ => Refused(outcome, StaleMessage),
        };
    }

    // The active key of (environment, kind), rotated at once: Datakeen support's rotation. Null when there is none.
    public async Task<RotatedKey?> RotateActiveAsync(Guid workspaceId, KeyEnvironment environment, KeyKind kind,
        RotationCause.BySupport cause, CancellationToken ct = default)
    {
        Guid? keyId;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            keyId = await db.ApiKeys.AsNoTracking()
                .Where(k => k.WorkspaceId == workspaceId && k.Environment == environment && k.Kind == kind && k.RevokedAt == null)
                .Select(k => (Guid?)k.Id)
                .SingleOrDefaultAsync(ct);
        }

        return keyId is { } id ? (await RotateInOwnTransactionAsync(workspaceId, id, TimeSpan.Zero, cause, ct)).Rotated : null;
    }

    // Inside the caller's transaction, on a key the caller locked (ApiKeyRows.LockAsync): a leak response, which
    // records the report in the same transaction. Null when the key is no longer active (nothing changes). The
    // caller commits, then calls AfterCommit.
    public async Task<RotatedKey?> RotateLockedAsync(PortalDbContext db, ApiKey locked, TimeSpan grace, RotationCause cause,
        CancellationToken ct = default)
    {
        if (!locked.IsActive)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var untilFirstUse = grace == KeyCapabilities.UntilNewKeyFirstUsed;
        locked.RevokedAt = now;
        locked.ExpiresAt = now + (untilFirstUse ? KeyCapabilities.UntilFirstUseBound : grace);
        locked.GraceAwaitsFirstUse = untilFirstUse;
        // The old row stops being active first, so the unique "one active key" index admits the new one.
        await db.SaveChangesAsync(ct);

        var byAdmin = cause as RotationCause.ByAdmin;
        var issued = issuer.Issue(locked.WorkspaceId, locked.Environment, locked.Kind, byAdmin?.Actor.UserId,
            revealedNow: byAdmin is not null);
        db.ApiKeys.Add(issued.Key);
        locked.ReplacedByKeyId = issued.Key.Id;
        // Every instance (this one included) drops the old key from its verifier cache when this commits.
        await db.NotifyAsync(ChangeFeed.KeyChannel, ChangePayload.For(locked.WorkspaceId, locked.Id.ToString("D")), ct);

        var rotated = new RotatedKey(locked, issued);
        var details = $"cause={cause.Name}; " + cause switch
        {
            RotationCause.LeakReport leak => $"leaked at {leak.Url}; ",
            RotationCause.BySupport support => $"reason={support.Reason}; ",
            _ => "",
        } + $"grace={(grace == TimeSpan.Zero ? "immediate" : untilFirstUse ? "until_new_key_first_used" : grace.ToString("c"))}; " +
            $"replacedBy={issued.Key.Id} {KeyDisplay.Hint(issued.Key.Prefix, issued.Key.LastFour)}";
        audit.Add(db, AuditActions.KeyRotated, byAdmin?.Actor, locked.WorkspaceId, TargetOf(locked), details,
            actorDescription: cause switch
            {
                RotationCause.LeakReport => RotationCause.LeakReport.ActorDescription,
                RotationCause.BySupport support => $"operator {support.OperatorName} (rotate-key)",
                _ => null,
            });
        await (cause switch
        {
            RotationCause.ByAdmin admin => mail.KeyRotatedAsync(db, locked, admin.Actor, now, ct),
            RotationCause.BySupport support => mail.OperatorRotatedAsync(db, locked, support.OperatorName, support.Reason, now, ct),
            RotationCause.LeakReport leak => mail.KeyLeakedAsync(db, locked, leak.Url,
                $"The key was revoked at once and replaced by a new key ({KeyDisplay.Hint(issued.Key.Prefix, issued.Key.LastFour)}). " +
                "Copy the new key from the API & Docs tab and deploy it.", now, ct),
            _ => throw new ArgumentOutOfRangeException(nameof(cause)),
        });
        PortalTelemetry.KeyRotations.Add(1, new("environment", locked.Environment.ToString()), new("kind", locked.Kind.ToString()));
        return rotated;
    }

    // "Revoke old key now": an Admin ends a replaced key's grace period early (guarded: Admin, live session, recent
    // sign-in; audited). The key stops working at once on this instance and, by the key channel, on every other.
    public async Task<KeyRotationResult> EndGraceAsync(Guid workspaceId, Guid keyId, Auth.Actor actor, CancellationToken ct = default)
    {
        var pass = await guard.CheckAsync(workspaceId, actor,
            WorkspaceDemand.Admin(AuditActions.KeyGraceEnded, $"{keyId}", recentSignIn: true), ct);
        if (!pass.IsAllowed)
        {
            return Refused(pass);
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var old = await ApiKeyRows.LockAsync(db, workspaceId, keyId, ct);
        if (old is null)
        {
            return Refused(KeyRotationOutcome.NotFound, NotFoundMessage);
        }

        if (!await EndGraceLockedAsync(db, old, actor, null, ct))
        {
            return Refused(KeyRotationOutcome.Stale, NotInGraceMessage);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        AfterGraceEnded(workspaceId);
        return new KeyRotationResult(KeyRotationOutcome.Rotated, null, null, null, listing.ToView(old, WorkspaceRole.Admin));
    }

    // Ends the grace period of a replaced key the caller locked, inside the caller's transaction: "Revoke old key
    // now" (an Admin) or a leak report of a key in its grace period (actor null, actorDescription given). False when
    // the key is active or no longer works (nothing changes). The caller commits, then calls AfterGraceEnded.
    public async Task<bool> EndGraceLockedAsync(PortalDbContext db, ApiKey locked, Auth.Actor? actor, string? actorDescription,
        CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        if (locked.IsActive || !locked.IsUsableAt(now))
        {
            return false;
        }

        locked.ExpiresAt = now;
        locked.GraceAwaitsFirstUse = false;
        // Every instance (this one included) drops the key from its verifier cache when this commits.
        await db.NotifyAsync(ChangeFeed.KeyChannel, ChangePayload.For(locked.WorkspaceId, locked.Id.ToString("D")), ct);
        audit.Add(db, AuditActions.KeyGraceEnded, actor, locked.WorkspaceId, TargetOf(locked),
            actor is null ? "cause=leak_report" : "cause=admin", actorDescription: actorDescription);
        return true;
    }

    // This instance stops accepting a key whose grace period just ended (the NOTIFY reaches the others on commit).
    public void AfterGraceEnded(Guid workspaceId) => verifier.EvictWorkspace(workspaceId);

    // This instance stops accepting the replaced key at once (the NOTIFY reaches the other instances on commit).
    public void AfterCommit(RotatedKey rotated) => verifier.EvictWorkspace(rotated.Old.WorkspaceId);

    // What the audit log calls a key: its id and hint, never its value.
    public static string TargetOf(ApiKey key) => $"{key.Id} {KeyDisplay.Hint(key.Prefix, key.LastFour)}";

    private async Task<(KeyRotationOutcome Outcome, RotatedKey? Rotated)> RotateInOwnTransactionAsync(Guid workspaceId,
        Guid keyId, TimeSpan grace, RotationCause cause, CancellationToken ct)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var old = await ApiKeyRows.LockAsync(db, workspaceId, keyId, ct);
            if (old is null)
            {
                return (KeyRotationOutcome.NotFound, null);
            }

            var rotated = await RotateLockedAsync(db, old, grace, cause, ct);
            if (rotated is null)
            {
                return (KeyRotationOutcome.Stale, null);
            }

            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            AfterCommit(rotated);
            return (KeyRotationOutcome.Rotated, rotated);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException
        {
            SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ux_api_keys_one_active",
        })
        {
            // The database's last line of defence against a second active key.
            return (KeyRotationOutcome.Stale, null);
        }
    }

    private static KeyRotationResult Refused(KeyRotationOutcome outcome, string message) => new(outcome, null, null, message);

    // The guard's refusal of an Admin's rotation or "Revoke old key now", as the rotation's outcome.
    private static KeyRotationResult Refused(WorkspacePass pass) => Refused(pass.Refusal switch
    {
        WorkspaceRefusal.NotFound => KeyRotationOutcome.NotFound,
        WorkspaceRefusal.Forbidden => KeyRotationOutcome.Forbidden,
        WorkspaceRefusal.ReauthenticationRequired => KeyRotationOutcome.ReauthenticationRequired,
        _ => KeyRotationOutcome.SessionEnded,
    }, pass.Refusal == WorkspaceRefusal.NotFound ? NotFoundMessage : pass.Message);
}
