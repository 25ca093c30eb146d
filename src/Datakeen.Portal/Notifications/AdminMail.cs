using System.Globalization;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Notifications;

// Puts mail to a workspace's admins into the outbox of the caller's context, so it commits (or not)
// with the action it reports. OutboxSender delivers it.
public sealed class AdminMail(IOptionsMonitor<SmtpOptions> options, TimeProvider time)
{
    // Returns how many mails were queued (muted admins and admins without an address get none).
    public async Task<int> EnqueueAsync(PortalDbContext db, Guid workspaceId, MailCategory category, string subject,
        string body, string? dedupKey = null, CancellationToken ct = default)
    {
        var admins = await db.Memberships.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRole.Admin && m.User != null && m.User.Email != null)
            .Where(m => category == MailCategory.Security || !m.User!.MuteNonSecurityMail)
            .Select(m => new { m.User!.Id, Email = m.User.Email!, WorkspaceName = m.Workspace!.Name, WorkspaceSlug = m.Workspace.Slug })
            .ToListAsync(ct);
        var now = time.GetUtcNow();
        foreach (var admin in admins)
        {
            db.OutboxEmails.Add(new OutboxEmail
            {
                Id = Guid.CreateVersion7(now),
                WorkspaceId = workspaceId,
                RecipientUserId = admin.Id,
                ToAddress = admin.Email,
                Subject = $"[Datakeen · {admin.WorkspaceName}] {subject}",
                Body = body + Footer(admin.WorkspaceSlug, category),
                Category = category,
                DedupKey = dedupKey,
                CreatedAt = now,
                NextAttemptAt = now,
            });
        }

        return admins.Count;
    }

    public Task<int> CountRecipientsAsync(PortalDbContext db, Guid workspaceId, CancellationToken ct = default) =>
        db.Memberships.CountAsync(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRole.Admin && m.User != null && m.User.Email != null, ct);

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

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
