using System.Net;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.IntegrationTests.Foundation;

public sealed class DeploymentSettingsTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public void In_production_a_missing_client_secret_stops_the_start_with_a_message_naming_it()
    {
        using var portal = new ProductionPortal(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Oidc:Authority"] = "https://login.example",
            ["Oidc:ClientId"] = "datakeen-portal",
        });

        var error = Assert.Throws<OptionsValidationException>(() => portal.Services);

        Assert.Contains("Oidc:ClientSecret is required (environment variable Oidc__ClientSecret)", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Oidc:Authority", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_malformed_redis_configuration_stops_the_start_with_a_message_naming_it()
    {
        using var portal = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Redis:Configuration"] = ",,,",
        });

        var error = Assert.Throws<OptionsValidationException>(() => portal.Services);

        Assert.Contains("Redis__Configuration", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outside_production_every_response_names_the_instance()
    {
        await using var portal = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Portal:InstanceName"] = "portal-7",
        });
        using var client = portal.CreateClient(new() { AllowAutoRedirect = false });

        foreach (var path in new[] { "/healthz", "/api/v1/whoami", "/" })
        {
            using var response = await client.GetAsync(path);
            Assert.Equal("portal-7", Assert.Single(response.Headers.GetValues("X-Portal-Instance")));
        }
        using var health = await client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    private sealed class ProductionPortal(string connectionString, IReadOnlyDictionary<string, string?> settings)
        : PortalFactory(connectionString, settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseEnvironment("Production");
        }
    }
}
