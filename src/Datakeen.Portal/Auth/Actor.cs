namespace Datakeen.Portal.Auth;

// Who performs an action, as the services see it: the portal user and where the request came from.
// Services check the actor's role in the workspace themselves; the UI hiding a button is not a check.
// SessionId is the signed-in browser session the action comes from: services refuse an action without a live
// session (WorkspaceGuard), and check its sign-in time for step-up. It is null only while a sign-in is being
// recorded (the audit of invitations attached at sign-in, InvitationsAtSignIn); operators and the portal itself are not actors.
public sealed record Actor(Guid UserId, string? DisplayName, string? IpAddress, string? UserAgent)
{
    public Guid? SessionId { get; init; }
}
