namespace Datakeen.Portal.DevIdentity;

// Which callback URIs the client may use: the configured ones, or (when allowed) the portal's callback
// paths on a loopback host with any port.
public static class RedirectUriPolicy
{
    public const string SignInCallbackPath = "/signin-oidc";
    public const string SignOutCallbackPath = "/signout-callback-oidc";

    public static bool IsAllowed(string? uri, IEnumerable<string> configured, bool allowAnyLoopbackPort, string callbackPath)
    {
        if (string.IsNullOrEmpty(uri) || !Uri.TryCreate(uri, UriKind.Absolute, out var parsed))
        {
            return false;
        }

        if (configured.Any(c => string.Equals(c, uri, StringComparison.Ordinal)))
        {
            return true;
        }

        return allowAnyLoopbackPort
            && parsed.Scheme == Uri.UriSchemeHttp
            && (parsed.Host == "localhost" || parsed.Host == "127.0.0.1")
            && string.IsNullOrEmpty(parsed.Query) && string.IsNullOrEmpty(parsed.Fragment)
            && string.IsNullOrEmpty(parsed.UserInfo)
            && parsed.AbsolutePath == callbackPath;
    }
}
