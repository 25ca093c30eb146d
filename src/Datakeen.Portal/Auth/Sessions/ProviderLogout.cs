using System.Security.Claims;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Datakeen.Portal.Auth.Sessions;

// The session side of the OpenID Connect events: re-authentication keeps the session, and front-channel
// logout (/signout-oidc) acts only on a request that names this user's provider session.
public static class ProviderLogout
{
    // After a successful sign-in at the provider. When the browser already holds a live session of the same
    // user, this sign-in is a re-authentication (step-up): the ticket store refreshes that session.
    public static void OnSignedIn(TokenValidatedContext context, Guid userId)
    {
        var identity = (ClaimsIdentity)context.Principal!.Identity!;
        if (identity.FindFirst(PortalClaims.Issuer) is null && context.SecurityToken?.Issuer is { } issuer)
        {
            identity.AddClaim(new Claim(PortalClaims.Issuer, issuer));
        }

        var current = context.HttpContext.User;
        if (current.GetUserId() == userId && current.GetSessionId() is { } sessionId)
        {
            context.HttpContext.Items[SessionTicketStore.ReauthenticatedSessionItem] = sessionId;
        }
    }

    // The framework signs out on any GET of /signout-oidc that carries no sid/iss (logout CSRF from any page
    // that links to it). Here both must be present and match the signed-in user's provider session.
    public static async Task OnRemoteSignOut(RemoteSignOutContext context)
    {
        var message = context.ProtocolMessage;
        var user = context.HttpContext.User;
        var matches = !string.IsNullOrEmpty(message?.Sid) && !string.IsNullOrEmpty(message.Iss) &&
                      string.Equals(user.FindFirst(PortalClaims.ProviderSessionId)?.Value, message.Sid, StringComparison.Ordinal) &&
                      string.Equals(user.FindFirst(PortalClaims.Issuer)?.Value, message.Iss, StringComparison.Ordinal);
        if (!matches)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.HandleResponse();
            return;
        }

        if (user.GetSessionId() is { } sessionId)
        {
            await context.HttpContext.RequestServices.GetRequiredService<UserSessions>().RevokeAsync(sessionId);
        }
        // The framework then signs out of the cookie scheme (the cookie is deleted).
    }
}
