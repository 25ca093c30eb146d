using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Usage;

// Requests per day of a key over the last days, oldest first and ending today (UTC), and their total.
public sealed record KeyUsageSeries(DateOnly FirstDay, IReadOnlyList<long> Requests)
{
    public long Total => Requests.Sum();

    public DateOnly LastDay => FirstDay.AddDays(Requests.Count - 1);

    public static KeyUsageSeries Empty(DateOnly firstDay, int days) => new(firstDay, new long[days]);
}

public interface IKeyUsageQueries
{
    // Every key of the workspace that has usage; keys without any are absent (read them as zeros). Nothing
    // for an actor who is not a member.
    Task<IReadOnlyDictionary<Guid, KeyUsageSeries>> GetLastDaysAsync(Guid workspaceId, Actor actor, int days = KeyUsageQueries.ChartDays,
        CancellationToken ct = default);

    // The first day of a series of `days` days ending today (UTC).
    DateOnly FirstDay(int days);
}

public sealed class KeyUsageQueries(IDbContextFactory<PortalDbContext> contexts, WorkspaceGuard guard, TimeProvider time)
    : IKeyUsageQueries
{
    public const int ChartDays = 30;

    public async Task<IReadOnlyDictionary<Guid, KeyUsageSeries>> GetLastDaysAsync(Guid workspaceId, Actor actor, int days = ChartDays,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(days, 1);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!(await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Member, ct)).IsAllowed)
        {
            return new Dictionary<Guid, KeyUsageSeries>();
        }

        var firstDay = FirstDay(days);
        var rows = await db.KeyUsageDays.AsNoTracking()
            .Where(u => u.WorkspaceId == workspaceId && u.Day >= firstDay)
            .Select(u => new { u.KeyId, u.Day, u.Requests })
            .ToListAsync(ct);
        return rows.GroupBy(r => r.KeyId).ToDictionary(g => g.Key, g =>
        {
            var requests = new long[days];
            foreach (var row in g)
            {
                var index = row.Day.DayNumber - firstDay.DayNumber;
                if (index < days)
                {
                    requests[index] = row.Requests;
                }
            }

            return new KeyUsageSeries(firstDay, requests);
        });
    }

    public DateOnly FirstDay(int days) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(1 - days);
}
