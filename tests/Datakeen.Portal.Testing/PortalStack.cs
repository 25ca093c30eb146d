namespace Datakeen.Portal.Testing;

// Everything a signed-in test needs, started fresh per test class (IClassFixture): a migrated database,
// the development OpenID Connect provider and the portal on real loopback ports, with the demo
// workspaces (acme, globex) created at startup.
public class PortalStack : PortalHost
{
    public DevIdentityServer Identity { get; private set; } = null!;
    public Uri PortalAddress { get; private set; } = null!;

    public const string Newcomer = "newcomer@example.test";
    public const string Unverified = "unverified@example.test";

    protected virtual IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    // Settings of the development provider on top of its appsettings.json (e.g. "--DevIdentity:AuthTime=…").
    protected virtual string[] ExtraIdentityArgs => [];

    public override async Task InitializeAsync()
    {
        Identity = await DevIdentityServer.StartAsync(
        [
            // Besides the demo users: someone with no workspace yet, and someone whose address is not verified.
            .. TestUser(3, "dev-newcomer", Newcomer, "Nora Newcomer", emailVerified: true),
            .. TestUser(4, "dev-unverified", Unverified, "Uma Unverified", emailVerified: false),
            .. ExtraIdentityArgs,
        ]);
        await base.InitializeAsync();
    }

    protected override IDictionary<string, string?> Settings
    {
        get
        {
            var settings = new Dictionary<string, string?>
            {
                ["Oidc:Authority"] = Identity.Authority,
                ["Oidc:ClientId"] = "datakeen-portal",
                ["Oidc:ClientSecret"] = "datakeen-portal-dev-secret",
                ["DemoData:Enabled"] = "true",
                ["Logging:LogLevel:Default"] = "Warning",
                // The Test base URLs are deployment configuration; these are placeholders on a reserved TLD.
                ["BaseUrls:Test:JourneyApi"] = "https://journey.sandbox.datakeen.example/backend",
                ["BaseUrls:Test:DocumentsApi"] = "https://documents.sandbox.datakeen.example/api",
            };
            foreach (var (key, value) in ExtraSettings)
            {
                settings[key] = value;
            }
            return settings;
        }
    }

    // Browsers and the OpenID Connect redirects need a real port.
    protected override void Start() => PortalAddress = Portal.StartOnKestrel();

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }
    }

    private static string[] TestUser(int index, string subject, string email, string name, bool emailVerified) =>
    [
        $"--DevIdentity:Users:{index}:Subject={subject}",
        $"--DevIdentity:Users:{index}:Email={email}",
        $"--DevIdentity:Users:{index}:Name={name}",
        $"--DevIdentity:Users:{index}:Password=demo",
        $"--DevIdentity:Users:{index}:EmailVerified={emailVerified}",
    ];

    public Task<SignedInClient> SignInAsync(string email, string? returnUrl = "/") =>
        OidcSignIn.SignInAsync(PortalAddress, email, returnUrl: returnUrl);

    // A client with no cookies that does not follow redirects.
    public HttpClient CreateAnonymousClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = PortalAddress };
}
