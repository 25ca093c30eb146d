using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using Datakeen.Portal.Data;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Auth.Sessions;

// Server-side sessions for the cookie handler: the cookie carries only the session id (inside its usual
// Data Protection envelope); the ticket lives in user_sessions, encrypted. Signing out revokes the row, so
// a copy of the cookie replayed later finds nothing; idle and absolute lifetimes are checked on every read.
public sealed class SessionTicketStore(
    IDbContextFactory<PortalDbContext> contextFactory,
    IDataProtectionProvider dataProtection,
    UserSessions sessions,
    IOptionsMonitor<SessionOptions> options,
    TimeProvider time,
    ILogger<SessionTicketStore> logger) : ITicketStore
{
    public static readonly DateTimeOffset NeverAuthenticated = DateTimeOffset.UnixEpoch;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Datakeen.Sessions.Ticket.v1");

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, null, CancellationToken.None);

    public Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken) =>
        StoreAsync(ticket, null, cancellationToken);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        var principal = ticket.Principal;
        var userId = principal.GetUserId()
            ?? throw new InvalidOperationException("A session needs the portal user id claim.");
        var now = time.GetUtcNow();
        // No auth_time: nobody said when credentials were entered, so the sign-in counts as old (step-up needed).
        var authenticatedAt = AuthTimeOf(principal) ?? NeverAuthenticated;
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var id = Guid.NewGuid(); // random (v4): the id is a bearer credential inside the cookie
        SetSessionClaim(principal, id);
        var connection = httpContext is null ? null : ConnectionDetails.From(httpContext);
        db.UserSessions.Add(new UserSession
        {
            Id = id,
            UserId = userId,
            Ticket = Protect(ticket),
            ProviderSessionId = principal.FindFirst(PortalClaims.ProviderSessionId)?.Value,
            // As recorded at sign-in from the identity token (the `iss` claim itself is not kept in the principal).
            Issuer = await db.Users.Where(u => u.Id == userId).Select(u => u.Issuer).SingleAsync(cancellationToken),
            AuthenticatedAt = authenticatedAt,
            CreatedAt = now,
            LastSeenAt = now,
            IpAddress = connection?.IpAddress,
            UserAgent = connection?.UserAgent,
        });
        await db.SaveChangesAsync(cancellationToken);
        return id.ToString("N");
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, null, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken) =>
        RenewAsync(key, ticket, null, cancellationToken);

    // Called for a sliding refresh of the cookie only: a sign-in never reaches here with a session id, as
    // SignInSessions takes a cookie present at sign-in out of the request (and revokes its session) first. A
    // ticket of another user than the session's is never written over it: a session never changes hands.
    public async Task RenewAsync(string key, AuthenticationTicket ticket, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(key, "N", out var id) || ticket.Principal.GetUserId() is not { } userId)
        {
            return;
        }

        var principal = ticket.Principal;
        SetSessionClaim(principal, id);
        var now = time.GetUtcNow();
        var authenticatedAt = AuthTimeOf(principal);
        var providerSessionId = principal.FindFirst(PortalClaims.ProviderSessionId)?.Value;
        var protectedTicket = Protect(ticket);
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var renewed = await db.UserSessions.Where(s => s.Id == id && s.UserId == userId && s.RevokedAt == null)
            .ExecuteUpdateAsync(u => u
                .SetProperty(s => s.Ticket, protectedTicket)
                .SetProperty(s => s.LastSeenAt, now)
                .SetProperty(s => s.AuthenticatedAt, s => authenticatedAt ?? s.AuthenticatedAt)
                .SetProperty(s => s.ProviderSessionId, s => providerSessionId ?? s.ProviderSessionId), cancellationToken);
        if (renewed == 0)
        {
            logger.LogWarning("Session {SessionId} was not renewed: it has ended or belongs to someone else", id);
        }
    }

    // The live session behind a cookie: read on every request that carries one, so compiled once (no expression tree
    // to build, hash and look up per request).
    private static readonly Func<PortalDbContext, Guid, DateTimeOffset, DateTimeOffset, CancellationToken, Task<LiveSessionRow?>> LiveSession =
        EF.CompileAsyncQuery((PortalDbContext db, Guid id, DateTimeOffset idleSince, DateTimeOffset createdSince, CancellationToken _) =>
            db.UserSessions.AsNoTracking()
                .Where(s => s.Id == id && s.RevokedAt == null && s.LastSeenAt > idleSince && s.CreatedAt > createdSince)
                .Select(s => new LiveSessionRow(s.Ticket, s.LastSeenAt, s.UserId, s.AuthenticatedAt))
                .SingleOrDefault());

    private sealed record LiveSessionRow(byte[] Ticket, DateTimeOffset LastSeenAt, Guid UserId, DateTimeOffset AuthenticatedAt);

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, null, CancellationToken.None);

    public Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken) =>
        RetrieveAsync(key, null, cancellationToken);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(key, "N", out var id))
        {
            return null;
        }

        var (idleSince, createdSince) = sessions.Bounds();
        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        var row = await LiveSession(db, id, idleSince, createdSince, cancellationToken);
        if (row is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (now - row.LastSeenAt >= options.CurrentValue.LastSeenResolution)
        {
            await db.UserSessions.Where(s => s.Id == id)
                .ExecuteUpdateAsync(u => u.SetProperty(s => s.LastSeenAt, now), cancellationToken);
        }

        try
        {
            var ticket = TicketSerializer.Default.Deserialize(_protector.Unprotect(row.Ticket));
            if (httpContext is not null)
            {
                UserSessions.RememberForThisRequest(httpContext, new ActiveSession(id, row.UserId, row.AuthenticatedAt));
            }
            return ticket;
        }
        catch (CryptographicException ex)
        {
            logger.LogWarning("Session {SessionId} cannot be decrypted ({Message}); it is treated as ended", id, ex.Message);
            return null;
        }
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, null, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => RemoveAsync(key, null, cancellationToken);

    public async Task RemoveAsync(string key, HttpContext? httpContext, CancellationToken cancellationToken)
    {
        if (!Guid.TryParseExact(key, "N", out var id))
        {
            return;
        }

        await sessions.RevokeAsync(id, cancellationToken);
    }

    private byte[] Protect(AuthenticationTicket ticket) => _protector.Protect(TicketSerializer.Default.Serialize(ticket));

    private static void SetSessionClaim(ClaimsPrincipal principal, Guid id)
    {
        var identity = (ClaimsIdentity)principal.Identity!;
        foreach (var claim in identity.FindAll(PortalClaims.SessionId).ToList())
        {
            identity.RemoveClaim(claim);
        }
        identity.AddClaim(new Claim(PortalClaims.SessionId, id.ToString("N")));
    }

    internal static DateTimeOffset? AuthTimeOf(ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirst(PortalClaims.AuthTime)?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
}
