using System.Security.Claims;

namespace Datakeen.Portal.Auth;

// Claim types of the portal's own cookie. Inbound claims are not mapped (MapInboundClaims = false),
// so the OpenID Connect names are used as they are.
public static class PortalClaims
{
    public const string UserId = "datakeen_user_id";
    public const string Subject = "sub";
    public const string Email = "email";
    public const string EmailVerified = "email_verified";
    public const string Name = "name";
    public const string Role = "role";

    // The server-side session (Auth/Sessions) this principal belongs to.
    public const string SessionId = "datakeen_session_id";

    // Of the provider's identity token: when the person last entered credentials, and their provider session.
    public const string AuthTime = "auth_time";
    public const string ProviderSessionId = "sid";

    public static Guid? GetUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirst(UserId)?.Value, out var id) ? id : null;

    public static Guid? GetSessionId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirst(SessionId)?.Value, out var id) ? id : null;

    public static string? GetDisplayName(this ClaimsPrincipal principal) =>
        principal.FindFirst(Name)?.Value ?? principal.FindFirst(Email)?.Value;
}
