using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Notifications;

// A user's own mail preference: mute notices (security mail is always sent).
public sealed class MailPreferences(IDbContextFactory<PortalDbContext> contexts)
{
    public async Task<bool> IsNoticesMutedAsync(Actor actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.Where(u => u.Id == actor.UserId).Select(u => u.MuteNonSecurityMail).SingleOrDefaultAsync(ct);
    }

    public async Task SetNoticesMutedAsync(Actor actor, bool muted, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Users.Where(u => u.Id == actor.UserId)
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.MuteNonSecurityMail, muted), ct);
    }
}
