namespace Datakeen.Portal.Auth;

public static class PortalPolicies
{
    // A person signed in to the portal through OpenID Connect (the cookie carries their portal user id).
    public const string SignedIn = "PortalSignedIn";
}
