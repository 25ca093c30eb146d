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

    public static Guid? GetUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirst(UserId)?.Value, out var id) ? id : null;

    public static string? GetDisplayName(this ClaimsPrincipal principal) =>
        principal.FindFirst(Name)?.Value ?? principal.FindFirst(Email)?.Value;

}
