using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Notifications;

// A user's own mail preference: mute notices (security mail is always sent).
public sealed class MailPreferences(IDbContextFactory<PortalDbContext> contexts, WorkspaceGuard guard)
{
    public async Task<bool> IsNoticesMutedAsync(Actor actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.Where(u => u.Id == actor.UserId).Select(u => u.MuteNonSecurityMail).SingleOrDefaultAsync(ct);
    }

    // False when the session behind the change has ended (nothing changes).
    public async Task<bool> SetNoticesMutedAsync(Actor actor, bool muted, CancellationToken ct = default)
    {
        if (await guard.CheckSessionAsync(actor, ct) != WorkspaceRefusal.None)
        {
            return false;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == actor.UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.MuteNonSecurityMail, muted), ct);
        return true;
    }
}
