using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Notifications;

// Which members' addresses get no mail because the provider never asserted them verified (AdminMail), so the
// Members page can say so.
public sealed class MailAddresses(IDbContextFactory<PortalDbContext> contexts)
{
    public async Task<IReadOnlySet<Guid>> UnverifiedAsync(IEnumerable<Guid> userIds, CancellationToken ct = default)
    {
        var ids = userIds.ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id) && !u.EmailVerified).Select(u => u.Id).ToListAsync(ct))
            .ToHashSet();
    }
}
