namespace Datakeen.Portal.Auth;

// Who performs an action, as the services see it: the portal user and where the request came from.
// Services check the actor's role in the workspace themselves; the UI hiding a button is not a check.
public sealed record Actor(Guid UserId, string? DisplayName, string? IpAddress, string? UserAgent);
