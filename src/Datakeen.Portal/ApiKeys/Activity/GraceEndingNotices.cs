using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.ApiKeys.Activity;

// One hour before a grace period ends, while the old key is still used (a request in the last hour), the admins get
// a mail (docs/key-activity.md): the integrations still on the old key stop working within the hour. Once per key:
// the key row lock and GraceEndingMailedAt make every instance's job agree on who sends it.
public sealed class GraceEndingNotices(
    IDbContextFactory<PortalDbContext> contexts,
    KeyMail mail,
    TimeProvider time,
    ILogger<GraceEndingNotices> logger) : PeriodicJob(time, logger)
{
    public static readonly TimeSpan Notice = TimeSpan.FromHours(1);

    private readonly TimeProvider _time = time;

    protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

    protected override Task RunAsync(CancellationToken ct) => SendDueAsync(ct);

    // The number of mails queued.
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        var until = now + Notice;
        var hourAgo = now - Notice;
        List<(Guid Id, Guid WorkspaceId)> due;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            due = (await db.ApiKeys.AsNoTracking()
                    .Where(k => k.RevokedAt != null && !k.GraceAwaitsFirstUse && k.GraceEndingMailedAt == null &&
                                k.ExpiresAt > now && k.ExpiresAt <= until &&
                                db.KeyActivity.Any(a => a.KeyId == k.Id && a.At >= hourAgo))
                    .Select(k => new { k.Id, k.WorkspaceId })
                    .ToListAsync(ct))
                .Select(k => (k.Id, k.WorkspaceId)).ToList();
        }

        var sent = 0;
        foreach (var (id, workspaceId) in due)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var key = await ApiKeyRows.LockAsync(db, workspaceId, id, ct);
            if (key is null || key.GraceEndingMailedAt is not null || key.IsActive || !key.IsUsableAt(now))
            {
                continue;
            }

            var requests = await KeyActivityQueries.RequestsAsync(db.KeyActivity.Where(a => a.KeyId == id && a.At >= hourAgo), ct);
            var clients = await KeyActivityQueries.ClientsAsync(db, id, hourAgo, ct);
            key.GraceEndingMailedAt = now;
            await mail.GraceEndingAsync(db, key, (int)Math.Min(requests, int.MaxValue), clients, now, ct);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            sent++;
        }

        return sent;
    }
}
