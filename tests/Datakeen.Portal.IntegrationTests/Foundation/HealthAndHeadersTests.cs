using System.Net;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Foundation;

public sealed class HealthAndHeadersTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task Healthz_and_readyz_answer_200_on_a_migrated_database()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Readyz_answers_503_when_the_database_is_unreachable()
    {
        var unreachable = "Host=127.0.0.1;Port=1;Database=nothing;Username=postgres;Timeout=2";
        await using var portal = new PortalFactory(unreachable, new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });
        using var client = portal.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Readyz_answers_503_when_migrations_are_pending()
    {
        var empty = await TestPostgres.CreateEmptyDatabaseAsync();
        try
        {
            await using var portal = new PortalFactory(empty, new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });
            using var client = portal.CreateClient();

            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/readyz")).StatusCode);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(empty);
        }
    }

    [Theory]
    [InlineData("/healthz")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/api/v1/whoami")]
    [InlineData("/not-found")]
    public async Task Every_response_carries_the_security_headers(string path)
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient(new() { AllowAutoRedirect = false });

        using var response = await client.GetAsync(path);

        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("default-src 'self'", csp);
        // Scripts only from this origin: no inline script, no eval.
        var scriptSrc = Assert.Single(csp.Split(';', StringSplitOptions.TrimEntries), d => d.StartsWith("script-src ", StringComparison.Ordinal));
        Assert.Equal("script-src 'self'", scriptSrc);
        Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoStore, $"{path} must not be cached");
    }

    [Fact]
    public async Task Fingerprinted_static_assets_stay_cacheable_while_pages_are_not()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();
        // The fingerprinted name of app.css, as MapStaticAssets routes it (app.{hash}.css).
        var css = portal.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText ?? "")
            .First(p => System.Text.RegularExpressions.Regex.IsMatch(p, @"^app\.[a-z0-9]+\.css$"));

        using var response = await client.GetAsync("/" + css);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // The asset keeps the policy MapStaticAssets gave it (immutable when published, revalidated in
        // a build like this one) instead of the pages' no-store.
        Assert.NotNull(response.Headers.CacheControl);
        Assert.False(response.Headers.CacheControl.NoStore, $"Cache-Control: {response.Headers.CacheControl}");
    }

    [Fact]
    public async Task Hsts_is_sent_outside_development_over_https()
    {
        // Production refuses to start without its provider settings (DeploymentSettingsTests); placeholders do.
        await using var portal = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["environment"] = "Production",
            ["Oidc:Authority"] = "https://login.example",
            ["Oidc:ClientId"] = "datakeen-portal",
            ["Oidc:ClientSecret"] = "placeholder",
        });
        using var client = portal.CreateClient(new() { BaseAddress = new Uri("https://portal.example"), AllowAutoRedirect = false });

        using var response = await client.GetAsync("/healthz");

        Assert.Contains("max-age=", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
    }
}
