using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Auth.Sessions;

// Configuration section "Auth".
public sealed class StepUpOptions
{
    public const string SectionName = "Auth";

    // Revealing or copying a Production secret and rotating any key need a sign-in at least this recent.
    public TimeSpan StepUpMaxAge { get; set; } = TimeSpan.FromMinutes(10);
}

public enum ActorCheck
{
    Ok,
    // The browser session behind the action was signed out (here, in another tab, or by the provider).
    SessionEnded,
    // The session lives, but the person entered their credentials too long ago for this action.
    ReauthenticationRequired,
}

// The services' own check of who acts (the UI may be stale, an open circuit may outlive its session): the
// actor's session must still live, and for sensitive actions the provider's auth_time must be recent.
// A person acts from a browser session; an actor without one is refused (operators and the portal itself are
// not actors: they name their cause, e.g. ApiKeys/RotationCause.cs).
public sealed class StepUp(UserSessions sessions, IOptionsMonitor<StepUpOptions> options, TimeProvider time)
{
    public const string SessionEndedMessage = "You have been signed out. Sign in again to continue.";
    public const string ReauthenticationMessage = "Confirm it is you: sign in again, then repeat the action.";

    public async Task<ActorCheck> CheckAsync(Actor actor, bool needsRecentSignIn, CancellationToken ct = default)
    {
        if (actor.SessionId is not { } sessionId)
        {
            return ActorCheck.SessionEnded;
        }

        var session = await sessions.GetActiveAsync(sessionId, ct);
        if (session is null || session.UserId != actor.UserId)
        {
            return ActorCheck.SessionEnded;
        }

        return needsRecentSignIn && time.GetUtcNow() - session.AuthenticatedAt > options.CurrentValue.StepUpMaxAge
            ? ActorCheck.ReauthenticationRequired
            : ActorCheck.Ok;
    }

    // Where the UI sends the browser for a step-up: through the provider, back to the same page.
    public static string ReauthenticationUrl(string returnUrl) =>
        $"authentication/login?reauthenticate=true&returnUrl={Uri.EscapeDataString(returnUrl)}";

    public static string SignInUrl(string returnUrl) => $"authentication/login?returnUrl={Uri.EscapeDataString(returnUrl)}";
}
