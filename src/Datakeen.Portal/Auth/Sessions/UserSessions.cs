using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Auth.Sessions;

public sealed record ActiveSession(Guid Id, Guid UserId, DateTimeOffset AuthenticatedAt);

public sealed record SessionView(Guid Id, string? Device, string? IpAddress, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt,
    bool IsCurrent);

// The rules of a live session in one place: not revoked, used within the idle timeout, younger than the
// absolute lifetime. The ticket store, circuit revalidation, the services' checks and the sessions page
// all ask here.
public sealed class UserSessions(IDbContextFactory<PortalDbContext> contextFactory, IOptionsMonitor<SessionOptions> options,
    TimeProvider time, ILogger<UserSessions> logger)
{
    public async Task<ActiveSession?> GetActiveAsync(Guid sessionId, CancellationToken ct = default)
    {
        var (idleSince, createdSince) = Bounds();
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        return await db.UserSessions.AsNoTracking()
            .Where(s => s.Id == sessionId && s.RevokedAt == null && s.LastSeenAt > idleSince && s.CreatedAt > createdSince)
            .Select(s => new ActiveSession(s.Id, s.UserId, s.AuthenticatedAt))
            .SingleOrDefaultAsync(ct);
    }

    // The session the cookie handler found live at the start of this request (SessionTicketStore reads it with the
    // ticket, same rules as GetActiveAsync): a page GET's guard checks it instead of reading the row again
    // (WorkspaceGuard's per-render cache). Null when this request's ticket came from elsewhere or named another session.
    public static ActiveSession? ReadByThisRequest(HttpContext? http, Guid sessionId) =>
        http?.Items.TryGetValue(typeof(ActiveSession), out var value) == true && value is ActiveSession session && session.Id == sessionId
            ? session
            : null;

    internal static void RememberForThisRequest(HttpContext http, ActiveSession session) => http.Items[typeof(ActiveSession)] = session;

    // True when the actor may act: a live session of theirs (an actor without a session may not).
    public async Task<bool> IsLiveAsync(Actor actor, CancellationToken ct = default) =>
        actor.SessionId is { } id && (await GetActiveAsync(id, ct))?.UserId == actor.UserId;

    public async Task<IReadOnlyList<SessionView>> ListAsync(Guid userId, Guid? currentSessionId, CancellationToken ct = default)
    {
        var (idleSince, createdSince) = Bounds();
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        var rows = await db.UserSessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.RevokedAt == null && s.LastSeenAt > idleSince && s.CreatedAt > createdSince)
            .OrderByDescending(s => s.LastSeenAt)
            .Select(s => new { s.Id, s.UserAgent, s.IpAddress, s.CreatedAt, s.LastSeenAt })
            .ToListAsync(ct);
        return rows.Select(s => new SessionView(s.Id, DeviceNames.Describe(s.UserAgent), s.IpAddress, s.CreatedAt, s.LastSeenAt,
            s.Id == currentSessionId)).ToList();
    }

    // "Sign out everywhere else": every other live session of this user ends now.
    public async Task<int> RevokeOthersAsync(Actor actor, CancellationToken ct = default)
    {
        if (!await IsLiveAsync(actor, ct))
        {
            return 0;
        }

        var now = time.GetUtcNow();
        var keep = actor.SessionId ?? Guid.Empty;
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        var count = await db.UserSessions
            .Where(s => s.UserId == actor.UserId && s.Id != keep && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), ct);
        logger.LogInformation("User {UserId} ended {Count} other session(s)", actor.UserId, count);
        return count;
    }

    public async Task RevokeAsync(Guid sessionId, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        await db.UserSessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), ct);
    }

    // Front-channel logout: ends this browser's session only when the provider names its own session of it.
    public async Task<bool> RevokeForProviderSessionAsync(Guid sessionId, string issuer, string providerSessionId,
        CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        return await db.UserSessions
            .Where(s => s.Id == sessionId && s.RevokedAt == null && s.Issuer == issuer && s.ProviderSessionId == providerSessionId)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), ct) == 1;
    }

    // Provider-initiated logout: the sessions of that provider session (sid), or of that subject when no sid is given.
    public async Task<int> RevokeByProviderAsync(string issuer, string? providerSessionId, string? subject, CancellationToken ct = default)
    {
        var now = time.GetUtcNow();
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        var sessions = db.UserSessions.Where(s => s.Issuer == issuer && s.RevokedAt == null);
        sessions = providerSessionId is not null
            ? sessions.Where(s => s.ProviderSessionId == providerSessionId)
            : sessions.Where(s => s.User!.Subject == subject);
        var count = await sessions.ExecuteUpdateAsync(u => u.SetProperty(s => s.RevokedAt, now), ct);
        logger.LogInformation("Provider logout ended {Count} session(s)", count);
        return count;
    }

    internal (DateTimeOffset IdleSince, DateTimeOffset CreatedSince) Bounds()
    {
        var now = time.GetUtcNow();
        var current = options.CurrentValue;
        return (now - current.IdleTimeout, now - current.AbsoluteLifetime);
    }
}
