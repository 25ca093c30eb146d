using Microsoft.AspNetCore.Components.Authorization;

namespace Datakeen.Portal.Auth;

// The signed-in user as an Actor, for Blazor components (scoped: one per prerender request, one per
// circuit). The IP address and user agent come from the HTTP request that prerendered the page, or
// from the request that opened the circuit (captured by ActorCircuitHandler).
public sealed class CurrentActor(AuthenticationStateProvider authentication, IHttpContextAccessor httpContextAccessor)
{
    private ConnectionDetails? _connection;

    internal void CaptureConnection(HttpContext? http)
    {
        if (http is not null)
        {
            _connection = ConnectionDetails.From(http);
        }
    }

    // Null when nobody is signed in, or the principal carries no server-side session (a cookie without the session
    // claim is nobody: every service refuses an actor without a live session).
    public async Task<Actor?> GetAsync()
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        if (user.GetUserId() is not { } userId || user.GetSessionId() is not { } sessionId)
        {
            return null;
        }

        if (_connection is null)
        {
            CaptureConnection(httpContextAccessor.HttpContext);
        }
        return new Actor(userId, user.GetDisplayName(), _connection?.IpAddress, _connection?.UserAgent)
        {
            SessionId = sessionId,
        };
    }

    public async Task<Actor> RequireAsync() =>
        await GetAsync() ?? throw new InvalidOperationException("This action needs a signed-in user.");
}
