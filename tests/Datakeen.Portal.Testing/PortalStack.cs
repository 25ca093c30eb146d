using Datakeen.Portal.Data;
using Xunit;

namespace Datakeen.Portal.Testing;

// Everything a signed-in test needs, started fresh per test class (IClassFixture): a migrated database,
// the development OpenID Connect provider and the portal on real loopback ports, with the demo
// workspaces (acme, globex) created at startup.
public class PortalStack : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public DevIdentityServer Identity { get; private set; } = null!;
    public PortalFactory Portal { get; private set; } = null!;
    public Uri PortalAddress { get; private set; } = null!;

    protected virtual IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateMigratedDatabaseAsync();
        Identity = await DevIdentityServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Oidc:Authority"] = Identity.Authority,
            ["Oidc:ClientId"] = "datakeen-portal",
            ["Oidc:ClientSecret"] = "datakeen-portal-dev-secret",
            ["DemoData:Enabled"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in ExtraSettings)
        {
            settings[key] = value;
        }
        Portal = new PortalFactory(ConnectionString, settings);
        PortalAddress = Portal.StartOnKestrel();
    }

    public virtual async Task DisposeAsync()
    {
        if (Portal is not null)
        {
            await Portal.DisposeAsync();
        }
        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }
        if (ConnectionString.Length > 0)
        {
            await TestPostgres.DropDatabaseAsync(ConnectionString);
        }
    }

    public Task<SignedInClient> SignInAsync(string email, string? returnUrl = "/") =>
        OidcSignIn.SignInAsync(PortalAddress, email, returnUrl: returnUrl);

    // A client with no cookies that does not follow redirects.
    public HttpClient CreateAnonymousClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = PortalAddress };

    public PortalDbContext CreateDbContext() => TestPostgres.CreateDbContext(ConnectionString);
}
