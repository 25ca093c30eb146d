using Datakeen.Portal.Data;

namespace Datakeen.Portal.Auth;

// A person who just signed in. VerifiedEmail is their address only when the provider asserted it is verified.
public sealed record SignedInPerson(Guid UserId, string? DisplayName, string? VerifiedEmail, ConnectionDetails? Connection);

// What another feature does when a person signs in, inside the sign-in's transaction: UserSignIn runs every
// registered step, so Auth depends on no feature above it (Workspaces attaches invitations this way).
public interface ISignInStep
{
    Task OnSignedInAsync(PortalDbContext db, SignedInPerson person, CancellationToken ct);
}
