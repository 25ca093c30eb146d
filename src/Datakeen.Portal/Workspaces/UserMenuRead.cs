using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Workspaces;

// What the signed-in user's menu shows of their own account: how many invitations wait for them, and whether they
// muted notice mail.
public readonly record struct UserMenuFacts(int PendingInvitations, bool NoticesMuted);

// The user menu's two per-user reads (pending invitations, the mail preference) as one query on every page GET, not
// two. The pending rule is Invitations' own (`Invitations.Pending`), composed into this query; the preference is the
// column MailPreferences writes (`SetNoticesMutedAsync`). Not cached: a page shows what is stored now.
public sealed class UserMenuRead(IDbContextFactory<PortalDbContext> contexts)
{
    public async Task<UserMenuFacts> ReadAsync(Actor actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pending = Invitations.Pending(db, actor.UserId);
        return await db.Users.AsNoTracking()
            .Where(u => u.Id == actor.UserId)
            .Select(u => new UserMenuFacts(pending.Count(), u.MuteNonSecurityMail))
            .SingleOrDefaultAsync(ct);
    }
}
