using Datakeen.Portal.Auth;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.IntegrationTests.Auth;

// Outside Development the session cookie is __Host- prefixed and always Secure (whatever scheme a request
// seems to have), and HSTS covers a year and the subdomains.
public sealed class TransportSecurityTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task Outside_development_the_session_cookie_is_host_prefixed_and_always_secure_and_hsts_lasts_a_year_with_subdomains()
    {
        // Production refuses to start without its provider settings; placeholders do.
        await using var portal = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["Oidc:Authority"] = "https://login.example",
            ["Oidc:ClientId"] = "datakeen-portal",
            ["Oidc:ClientSecret"] = "placeholder",
        });
        using var client = portal.CreateClient(new() { BaseAddress = new Uri("https://portal.example"), AllowAutoRedirect = false });

        using var response = await client.GetAsync("/healthz");

        Assert.Equal("max-age=31536000; includeSubDomains", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        var cookie = portal.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(AuthServiceCollectionExtensions.CookieScheme).Cookie;
        Assert.StartsWith("__Host-", cookie.Name);
        Assert.Equal(CookieSecurePolicy.Always, cookie.SecurePolicy);
        Assert.Equal("/", cookie.Path);
        Assert.Null(cookie.Domain);
    }
}
