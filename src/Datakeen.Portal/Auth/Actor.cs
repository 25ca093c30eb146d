namespace Datakeen.Portal.Auth;

// Who performs an action, as the services see it: the portal user and where the request came from.
// Services check the actor's role in the workspace themselves; the UI hiding a button is not a check.
// SessionId is the signed-in browser session the action comes from (null for operators and tests acting
// directly): services refuse an action of a session that has ended, and check its sign-in time for step-up.
public sealed record Actor(Guid UserId, string? DisplayName, string? IpAddress, string? UserAgent)
{
    public Guid? SessionId { get; init; }
}
