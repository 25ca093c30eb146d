using System.Globalization;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Notifications;

// Puts mail to a workspace's admins into the outbox of the caller's context, so it commits (or not)
// with the action it reports. OutboxSender delivers it. Only to addresses the provider asserted as verified
// (anyone can sign in with someone else's unverified address and become an admin of their own workspace),
// at most Smtp:MaxMailsPerRecipientPerHour per person, and with a subject that holds no text of a user except
// the workspace name, quoted, on one line (docs/security.md).
public sealed class AdminMail(IOptionsMonitor<SmtpOptions> options, TimeProvider time, ILogger<AdminMail> logger)
{
    private const int MaxSubjectNameLength = 60;

    // Returns how many mails were queued (muted admins, unverified addresses and admins over their limit get none).
    // `subject` is the portal's own text; user-chosen text belongs in the body.
    public async Task<int> EnqueueAsync(PortalDbContext db, Guid workspaceId, MailCategory category, string subject,
        string body, string? dedupKey = null, CancellationToken ct = default)
    {
        var admins = await Recipients(db, workspaceId)
            .Where(m => category == MailCategory.Security || !m.User!.MuteNonSecurityMail)
            .Select(m => new { m.User!.Id, Email = m.User.Email!, WorkspaceName = m.Workspace!.Name, WorkspaceSlug = m.Workspace.Slug })
            .ToListAsync(ct);
        var now = time.GetUtcNow();
        var since = now - TimeSpan.FromHours(1);
        var ids = admins.Select(a => (Guid?)a.Id).ToList();
        var sentLastHour = await db.OutboxEmails.AsNoTracking()
            .Where(m => ids.Contains(m.RecipientUserId) && m.CreatedAt > since)
            .GroupBy(m => m.RecipientUserId)
            .Select(g => new { UserId = g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.UserId!.Value, g => g.Count, ct);
        var limit = options.CurrentValue.MaxMailsPerRecipientPerHour;
        var queued = 0;
        foreach (var admin in admins)
        {
            if (sentLastHour.GetValueOrDefault(admin.Id) >= limit)
            {
                logger.LogWarning("Mail to user {UserId} not queued: {Limit} mails in the last hour already", admin.Id, limit);
                continue;
            }

            db.OutboxEmails.Add(new OutboxEmail
            {
                Id = Guid.CreateVersion7(now),
                WorkspaceId = workspaceId,
                RecipientUserId = admin.Id,
                ToAddress = admin.Email,
                Subject = Subject(admin.WorkspaceName, subject),
                Body = body + Footer(admin.WorkspaceSlug, category),
                Category = category,
                DedupKey = dedupKey,
                CreatedAt = now,
                NextAttemptAt = now,
            });
            queued++;
        }

        return queued;
    }

    public Task<int> CountRecipientsAsync(PortalDbContext db, Guid workspaceId, CancellationToken ct = default) =>
        Recipients(db, workspaceId).CountAsync(ct);

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    // [Datakeen] "Acme": Production secret key rotated
    internal static string Subject(string workspaceName, string subject)
    {
        var name = (StorableText.WithoutControlCharacters(workspaceName) ?? "").Replace('"', '\'');
        if (name.Length > MaxSubjectNameLength)
        {
            name = name[..(MaxSubjectNameLength - 1)].TrimEnd() + "…";
        }

        return $"[Datakeen] \"{name}\": {subject}";
    }

    private static IQueryable<Membership> Recipients(PortalDbContext db, Guid workspaceId) =>
        db.Memberships.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRole.Admin && m.User != null && m.User.Email != null &&
                        m.User.EmailVerified);

    private string Footer(string slug, MailCategory category)
    {
        var portal = options.CurrentValue.PortalUrl?.TrimEnd('/');
        var tab = portal is null ? $"/w/{slug}/api" : $"{portal}/w/{slug}/api";
        var why = category == MailCategory.Security
            ? "You receive this because you are an admin of the workspace. Security mail cannot be muted."
            : "You receive this because you are an admin of the workspace. Mute these notices in the portal's user menu.";
        return $"\n\nAPI & Docs: {tab}\n\n--\n{why}\n";
    }
}
