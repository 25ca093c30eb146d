using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.SecretScanning;

public sealed record ImpactDay(DateOnly Day, long Requests);

// A client of the leaked key in the report's window; NewAfterReport: never seen with the key before the report (as
// far as the activity's retention reaches).
public sealed record ImpactClient(string ClientAddress, string? UserAgent, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    long Requests, bool NewAfterReport);

public sealed record LeakImpact(
    Guid KeyId,
    KeyEnvironment Environment,
    KeyKind Kind,
    string Hint,
    string Url,
    DateTimeOffset ReportedAt,
    DateTimeOffset From,
    DateTimeOffset Until,
    // The key still works (a flagged Production key): the window runs until now.
    bool StillWorks,
    long Requests,
    IReadOnlyList<ImpactDay> Days,
    IReadOnlyList<ImpactClient> Clients,
    long CreditsDebited,
    TimeSpan ActivityRetention);

// What a leaked key did (docs/leak-reports.md, "Impact report"): its requests from 24 hours before the report until
// it stopped working (or now, while a flagged Production key still works), by day and by client, marking the clients
// first seen after the report, and the credits debited with it in that window. Members may read it, as they read
// the key's activity.
public sealed class LeakImpactReport(
    IDbContextFactory<PortalDbContext> contexts,
    WorkspaceGuard guard,
    Microsoft.Extensions.Options.IOptionsMonitor<ApiKeyOptions> options,
    TimeProvider time)
{
    public static readonly TimeSpan Before = TimeSpan.FromHours(24);
    public const int ClientLimit = 200;

    // Null for anyone who may not read the workspace, and for a key that was never reported.
    public async Task<LeakImpact?> GetAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!(await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Member, ct)).IsAllowed)
        {
            return null;
        }

        var key = await db.ApiKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == keyId && k.WorkspaceId == workspaceId, ct);
        if (key is not { ExposedAt: { } reportedAt, ExposedUrl: { } url })
        {
            return null;
        }

        var now = time.GetUtcNow();
        var stillWorks = key.IsUsableAt(now);
        var until = stillWorks ? now : key.ExpiresAt ?? key.RevokedAt ?? now;
        var from = reportedAt - Before;
        var window = db.KeyActivity.AsNoTracking().Where(a => a.KeyId == keyId && a.At >= from && a.At <= until);

        // By UTC day in the database: a leaked key may have made millions of requests.
        var days = (await db.Database.SqlQuery<DayRow>($"""
                SELECT (at AT TIME ZONE 'UTC')::date AS "Day", sum(requests)::bigint AS "Requests"
                FROM key_activity WHERE key_id = {keyId} AND at >= {from} AND at <= {until}
                GROUP BY 1 ORDER BY 1
                """).ToListAsync(ct))
            .Select(d => new ImpactDay(d.Day, d.Requests)).ToList();
        var clients = await window.GroupBy(a => new { a.ClientAddress, a.UserAgent })
            .Select(g => new { g.Key.ClientAddress, g.Key.UserAgent, First = g.Min(a => a.At), Last = g.Max(a => a.At), Count = g.Sum(a => (long)a.Requests) })
            .OrderByDescending(c => c.Count).Take(ClientLimit)
            .ToListAsync(ct);
        var seenBefore = (await db.KeyActivity.AsNoTracking().Where(a => a.KeyId == keyId && a.At < reportedAt)
                .Select(a => new { a.ClientAddress, a.UserAgent }).Distinct().ToListAsync(ct))
            .Select(c => (c.ClientAddress, c.UserAgent)).ToHashSet();
        var debited = await db.CreditLedgerEntries.AsNoTracking()
            .Where(e => e.ActorApiKeyId == keyId && e.Amount < 0 && e.CreatedAt >= from && e.CreatedAt <= until)
            .SumAsync(e => (long?)-e.Amount, ct) ?? 0;

        return new LeakImpact(key.Id, key.Environment, key.Kind, KeyDisplay.Hint(key.Prefix, key.LastFour), url, reportedAt, from,
            until, stillWorks, days.Sum(d => d.Requests), days,
            clients.Select(c => new ImpactClient(c.ClientAddress, c.UserAgent, c.First, c.Last, c.Count,
                !seenBefore.Contains((c.ClientAddress, c.UserAgent)))).ToList(),
            debited, options.CurrentValue.ActivityRetention);
    }

    private sealed record DayRow(DateOnly Day, long Requests);
}
