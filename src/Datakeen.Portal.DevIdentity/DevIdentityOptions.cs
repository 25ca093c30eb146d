namespace Datakeen.Portal.DevIdentity;

// Configuration section "DevIdentity": the one interactive client (the portal), the service clients
// (client-credentials flow) and the demo users.
public sealed class DevIdentityOptions
{
    public const string SectionName = "DevIdentity";

    public DevClient Client { get; set; } = new();
    public List<DevServiceClient> ServiceClients { get; set; } = [];
    public List<DevUser> Users { get; set; } = [];

    // How auth_time is asserted, to play providers the portal must stand up to (tests): "Always" (default),
    // "WhenMaxAgeRequested" (as OpenID Connect Core allows: a silent sign-in says nothing of when credentials
    // were entered), "IgnoreReauthentication" (prompt=login and max_age are ignored: the old auth_time comes back).
    public string AuthTime { get; set; } = "Always";
}

public sealed class DevClient
{
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";
    public List<string> RedirectUris { get; set; } = [];
    public List<string> PostLogoutRedirectUris { get; set; } = [];

    // Tests and local runs put the portal on any port: accept http://localhost:*/127.0.0.1:* callbacks
    // with the portal's callback paths.
    public bool AllowAnyLoopbackPort { get; set; }
}

public sealed class DevUser
{
    public string Subject { get; set; } = "";
    public string Email { get; set; } = "";
    public string Name { get; set; } = "";
    public string Password { get; set; } = "";
    public bool EmailVerified { get; set; } = true;
}
