using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Auth.Sessions;

// An open circuit keeps the principal it started with; this checks every few seconds that its session
// still lives. When it was signed out elsewhere (another tab, "Sign out everywhere else", the provider),
// the circuit's user becomes anonymous and the router sends the page to sign in.
internal sealed class SessionRevalidatingStateProvider(ILoggerFactory loggerFactory, UserSessions sessions,
    IOptionsMonitor<SessionOptions> options) : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.CurrentValue.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState,
        CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        if (user.GetUserId() is not { } userId)
        {
            return true;
        }

        // A portal user without a session id comes from a cookie of before server-side sessions: no longer valid.
        return user.GetSessionId() is { } sessionId &&
               (await sessions.GetActiveAsync(sessionId, cancellationToken))?.UserId == userId;
    }
}
