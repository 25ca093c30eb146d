using System.Security.Cryptography;
using System.Text;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.SecretScanning;

// What the portal does with a verified leak report (docs/leak-reports.md): per token, in one transaction,
// the report row (unique per token and URL, so a repeat changes nothing), the key's new state, the audit
// event with the URL and the admins' mail.
public sealed class LeakResponder(
    IDbContextFactory<PortalDbContext> contexts,
    KeyRotation rotation,
    KeyMail mail,
    AuditLog audit,
    IOptionsMonitor<SecretScanningOptions> options,
    TimeProvider time)
{
    public const string ActorDescription = RotationCause.LeakReport.ActorDescription;

    public async Task<IReadOnlyList<LeakReportFeedback>> RespondAsync(IReadOnlyList<LeakReportRequest> entries,
        CancellationToken ct)
    {
        var feedback = new List<LeakReportFeedback>(entries.Count);
        foreach (var entry in entries)
        {
            feedback.Add(await RespondAsync(entry, ct));
        }

        return feedback;
    }

    private async Task<LeakReportFeedback> RespondAsync(LeakReportRequest entry, CancellationToken ct)
    {
        var token = entry.Token!;
        var tokenHash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
        var tokenType = Truncate(entry.Type ?? "", 100);
        var url = Truncate(entry.Url ?? "", LeakReportRequest.MaxUrlLength);
        var source = entry.Source is null ? null : Truncate(entry.Source, 100);
        var now = time.GetUtcNow();

        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // Claims (token, URL): a concurrent repeat waits here for this transaction, then finds the row.
        var claimed = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO leak_reports (id, token_hash, token_type, url, source, received_at, label, outcome)
            VALUES ({Guid.CreateVersion7(now)}, {tokenHash}, {tokenType}, {url}, {source}, {now}, 'pending', 'pending')
            ON CONFLICT (token_hash, url) DO NOTHING
            """, ct);
        var report = await db.LeakReports.SingleAsync(r => r.TokenHash == tokenHash && r.Url == url, ct);
        if (claimed == 0)
        {
            return new LeakReportFeedback(tokenHash, report.TokenType, report.Label);
        }

        // The key's row is locked (the one key lock, ApiKeyRows) before anything about it is decided.
        var keyRef = KeyFormat.TryParse(token, out _)
            ? await db.ApiKeys.AsNoTracking().Where(k => k.Digest == KeyFormat.ComputeDigest(token))
                .Select(k => new { k.Id, k.WorkspaceId }).SingleOrDefaultAsync(ct)
            : null;
        var key = keyRef is null ? null : await ApiKeyRows.LockAsync(db, keyRef.WorkspaceId, keyRef.Id, ct);
        var (label, outcome, done, rotated) = await ActAsync(db, key, url, ct);

        report.Label = label;
        report.Outcome = outcome;
        report.WorkspaceId = key?.WorkspaceId;
        report.ApiKeyId = key?.Id;
        var auditEvent = audit.Add(db, AuditActions.KeyLeakReported, actor: null, key?.WorkspaceId,
            key is null ? $"sha256:{tokenHash[..16]}" : KeyRotation.TargetOf(key),
            $"url={url}; type={tokenType}; source={source}; label={label}; outcome={outcome}");
        auditEvent.ActorDescription = ActorDescription;
        // A rotation mails the admins itself (KeyRotation); the other true positives are mailed here.
        if (key is not null && done is not null)
        {
            await mail.KeyLeakedAsync(db, key, url, done, now, ct);
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        if (rotated is not null)
        {
            rotation.AfterCommit(rotated);
        }
        else if (outcome == Outcomes.GraceEnded)
        {
            rotation.AfterGraceEnded(key!.WorkspaceId);
        }

        return new LeakReportFeedback(tokenHash, tokenType, label);
    }

    // Returns the label for GitHub, the outcome recorded, what the admins are told was done (for a true positive
    // that is not a rotation: a rotation mails them itself) and the rotation, if there was one.
    private async Task<(string Label, string Outcome, string? Done, RotatedKey? Rotated)> ActAsync(PortalDbContext db,
        ApiKey? key, string url, CancellationToken ct)
    {
        if (key is null)
        {
            return (LeakLabels.FalsePositive, Outcomes.UnknownKey, null, null);
        }

        if (key.Kind == KeyKind.Public)
        {
            // Public keys are meant to be seen (client-side code).
            return (LeakLabels.FalsePositive, Outcomes.PublicKey, null, null);
        }

        var now = time.GetUtcNow();
        if (!key.IsUsableAt(now))
        {
            return (LeakLabels.FalsePositive, Outcomes.AlreadyRevoked, null, null);
        }

        key.ExposedAt ??= now;
        key.ExposedUrl = url;
        // Open tabs reload their keys (and so show the alert) when this commits.
        await db.NotifyAsync(ChangeFeed.KeyChannel, ChangePayload.For(key.WorkspaceId, key.Id.ToString("D")), ct);
        if (!key.IsActive)
        {
            // Rotated with a grace period and still working: a leaked credential, so the grace ends now (the same
            // operation as the tab's "Revoke old key now").
            await rotation.EndGraceLockedAsync(db, key, actor: null, ActorDescription, ct);
            return (LeakLabels.TruePositive, Outcomes.GraceEnded,
                "The key had already been rotated but still worked during its grace period: it stopped working at once. " +
                "Make sure your servers use the new key.", null);
        }

        if (key.Environment == KeyEnvironment.Production && !options.CurrentValue.RevokeProduction)
        {
            return (LeakLabels.TruePositive, Outcomes.MarkedExposed,
                "Nothing yet: the key still works, so your servers keep running. Rotate it now on the API & Docs tab, " +
                "then deploy the new key.", null);
        }

        var rotated = await rotation.RotateLockedAsync(db, key, TimeSpan.Zero, new RotationCause.LeakReport(url), ct);
        return (LeakLabels.TruePositive, Outcomes.RevokedAndReplaced, null, rotated);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];

    public static class Outcomes
    {
        public const string UnknownKey = "unknown_key";
        public const string PublicKey = "public_key";
        public const string AlreadyRevoked = "already_revoked";
        public const string MarkedExposed = "marked_exposed";
        public const string RevokedAndReplaced = "revoked_and_replaced";
        public const string GraceEnded = "grace_ended";
    }
}
