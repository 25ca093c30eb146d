using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace Datakeen.Portal.Auth.Sessions;

// Front-channel logout (/signout-oidc) acts only on a request that names this browser's provider session.
public static class ProviderLogout
{
    // The framework signs out on any GET of /signout-oidc that carries no sid/iss (logout CSRF from any page
    // that links to it). Here both must be present and match the provider session recorded for this browser's
    // session; then the session ends (server side, and the cookie is deleted).
    public static async Task OnRemoteSignOut(RemoteSignOutContext context)
    {
        var message = context.ProtocolMessage;
        var cookie = await context.HttpContext.AuthenticateAsync(AuthServiceCollectionExtensions.CookieScheme);
        var sessionId = cookie.Principal?.GetSessionId();
        var ended = sessionId is { } id && !string.IsNullOrEmpty(message?.Sid) && !string.IsNullOrEmpty(message.Iss) &&
                    await context.HttpContext.RequestServices.GetRequiredService<UserSessions>()
                        .RevokeForProviderSessionAsync(id, message.Iss, message.Sid, context.HttpContext.RequestAborted);
        if (!ended)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.HandleResponse();
            await context.Response.WriteAsync("Remote sign-out refused: the request does not name this session (sid and iss).");
            return;
        }

        await context.HttpContext.SignOutAsync(AuthServiceCollectionExtensions.CookieScheme);
        context.HandleResponse();
    }
}
