using System.Globalization;
using System.Text;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys.Activity;

// One caller's requests within one flush (KeyActivity): the newest one's time and request id, and how many.
public sealed record ActivityRow(DateTimeOffset At, string Route, string Outcome, string ClientAddress, string? UserAgent,
    string? RequestId, string? Origin, int Requests = 1);

// One client of a key: an address and a user agent, with its first and last request and how many it made.
public sealed record ActivityClient(string ClientAddress, string? UserAgent, DateTimeOffset FirstSeen, DateTimeOffset LastSeen,
    long Requests);

// The activity panel: the newest requests (at most RecentLimit, filtered by outcome when asked) and the clients.
public sealed record KeyActivityView(IReadOnlyList<ActivityRow> Recent, IReadOnlyList<ActivityClient> Clients);

// The drain view of an old key in its grace period: requests in the last hour and since the rotation, its clients,
// its last request, and whether its grace still waits for the new key's first use.
public sealed record KeyDrainView(long LastHour, long SinceRotation, IReadOnlyList<ActivityClient> Clients,
    DateTimeOffset? LastSeen, DateTimeOffset RotatedAt, DateTimeOffset? ExpiresAt, bool AwaitsFirstUse)
{
    // Whole minutes since the last request (since the rotation when there was none after it).
    public int QuietMinutes(DateTimeOffset now) => (int)Math.Max(0, (now - (LastSeen ?? RotatedAt)).TotalMinutes);
}

// What the tab reads of a key's activity (components are tested against a fake).
public interface IKeyActivityQueries
{
    // Null when the actor may not read the workspace or the key is not in it.
    Task<KeyActivityView?> GetAsync(Guid workspaceId, Guid keyId, Actor actor, string? outcome = null, CancellationToken ct = default);

    // Null unless the key is a replaced key of the workspace (and the actor a member).
    Task<KeyDrainView?> GetDrainAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default);

    // The retention window as CSV, for Admins (audited); null when refused.
    Task<string?> ExportCsvAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default);
}

// Reads of a key's activity (docs/key-activity.md). Members see every key's activity (it never holds a secret);
// the CSV export of the retention window is for Admins.
public sealed class KeyActivityQueries(
    IDbContextFactory<PortalDbContext> contexts,
    WorkspaceGuard guard,
    AuditLog audit,
    IOptionsMonitor<ApiKeyOptions> options,
    TimeProvider time) : IKeyActivityQueries
{
    public const int RecentLimit = 100;
    public const int ClientLimit = 50;
    public const int ExportLimit = 20_000;

    public async Task<KeyActivityView?> GetAsync(Guid workspaceId, Guid keyId, Actor actor, string? outcome = null,
        CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await AllowedAsync(db, workspaceId, keyId, actor, WorkspaceDemand.Member, ct))
        {
            return null;
        }

        var rows = db.KeyActivity.AsNoTracking().Where(a => a.KeyId == keyId);
        if (outcome is not null)
        {
            rows = rows.Where(a => a.Outcome == outcome);
        }

        var recent = await rows.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(RecentLimit)
            .Select(a => new ActivityRow(a.At, a.Route, a.Outcome, a.ClientAddress, a.UserAgent, a.RequestId, a.Origin, a.Requests))
            .ToListAsync(ct);
        return new KeyActivityView(recent, await ClientsAsync(db, keyId, null, ct));
    }

    public async Task<KeyDrainView?> GetDrainAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await AllowedAsync(db, workspaceId, keyId, actor, WorkspaceDemand.Member, ct))
        {
            return null;
        }

        var key = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == keyId, ct);
        if (key.RevokedAt is not { } rotatedAt)
        {
            return null;
        }

        var hourAgo = time.GetUtcNow().AddHours(-1);
        var since = db.KeyActivity.AsNoTracking().Where(a => a.KeyId == keyId && a.At >= rotatedAt);
        var lastHour = await RequestsAsync(since.Where(a => a.At >= hourAgo), ct);
        var sinceRotation = await RequestsAsync(since, ct);
        var lastSeen = await since.MaxAsync(a => (DateTimeOffset?)a.At, ct);
        return new KeyDrainView(lastHour, sinceRotation, await ClientsAsync(db, keyId, rotatedAt, ct), lastSeen, rotatedAt,
            key.ExpiresAt, key.GraceAwaitsFirstUse);
    }

    // The retention window of a key's activity as CSV (newest first, at most ExportLimit rows); null when refused.
    public async Task<string?> ExportCsvAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await AllowedAsync(db, workspaceId, keyId, actor, WorkspaceDemand.Admin(AuditActions.KeyActivityExported, $"{keyId}"), ct))
        {
            return null;
        }

        var from = time.GetUtcNow() - options.CurrentValue.ActivityRetention;
        var rows = await db.KeyActivity.AsNoTracking().Where(a => a.KeyId == keyId && a.At >= from)
            .OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(ExportLimit)
            .Select(a => new ActivityRow(a.At, a.Route, a.Outcome, a.ClientAddress, a.UserAgent, a.RequestId, a.Origin, a.Requests))
            .ToListAsync(ct);
        // A row is one caller's requests within a flush: `requests` says how many, `time` and `request_id` are the newest's.
        var csv = new StringBuilder("time,route,outcome,client_address,user_agent,request_id,origin,requests\r\n");
        foreach (var row in rows)
        {
            csv.AppendJoin(',', Field(row.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)),
                Field(row.Route), Field(row.Outcome), Field(row.ClientAddress), Field(row.UserAgent), Field(row.RequestId),
                Field(row.Origin), row.Requests.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
        }

        audit.Add(db, AuditActions.KeyActivityExported, actor, workspaceId, $"{keyId}", $"rows={rows.Count}; since={from:O}");
        await db.SaveChangesAsync(ct);
        return csv.ToString();
    }

    // The clients of a key (since a time, when given), most recently seen first.
    internal static async Task<IReadOnlyList<ActivityClient>> ClientsAsync(PortalDbContext db, Guid keyId, DateTimeOffset? since,
        CancellationToken ct)
    {
        var rows = db.KeyActivity.AsNoTracking().Where(a => a.KeyId == keyId);
        if (since is { } from)
        {
            rows = rows.Where(a => a.At >= from);
        }

        var clients = await rows.GroupBy(a => new { a.ClientAddress, a.UserAgent })
            .Select(g => new { g.Key.ClientAddress, g.Key.UserAgent, First = g.Min(a => a.At), Last = g.Max(a => a.At), Count = g.Sum(a => (long)a.Requests) })
            .OrderByDescending(c => c.Last)
            .Take(ClientLimit)
            .ToListAsync(ct);
        return clients.Select(c => new ActivityClient(c.ClientAddress, c.UserAgent, c.First, c.Last, c.Count)).ToList();
    }

    // The requests the rows stand for (each row counts its coalesced requests).
    internal static Task<long> RequestsAsync(IQueryable<KeyActivity> rows, CancellationToken ct) =>
        rows.SumAsync(a => (long)a.Requests, ct);

    private async Task<bool> AllowedAsync(PortalDbContext db, Guid workspaceId, Guid keyId, Actor actor, WorkspaceDemand demand,
        CancellationToken ct) =>
        (await guard.CheckAsync(db, workspaceId, actor, demand, ct)).IsAllowed &&
        await db.ApiKeys.AnyAsync(k => k.Id == keyId && k.WorkspaceId == workspaceId, ct);

    // RFC 4180 quoting; a cell a spreadsheet would run as a formula is prefixed with an apostrophe.
    private static string Field(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return "";
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;
    }
}
