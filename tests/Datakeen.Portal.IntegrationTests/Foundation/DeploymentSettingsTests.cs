using System.Net;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.IntegrationTests.Foundation;

public sealed class DeploymentSettingsTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    // The rule itself (the host-level wiring through ValidateOnStart is the Redis test below).
    [Fact]
    public void In_production_a_missing_client_secret_fails_validation_with_a_message_naming_it()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = database.ConnectionString,
            ["Oidc:Authority"] = "https://login.example",
            ["Oidc:ClientId"] = "datakeen-portal",
        }).Build();
        var validation = new RequiredSettingsValidation(configuration, new HostingEnvironment { EnvironmentName = "Production" });

        var result = validation.Validate(null, new RequiredSettings());

        Assert.True(result.Failed);
        Assert.Contains("Oidc:ClientSecret is required (environment variable Oidc__ClientSecret)", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Oidc:Authority", result.FailureMessage, StringComparison.Ordinal);
        Assert.True(new RequiredSettingsValidation(configuration, new HostingEnvironment { EnvironmentName = "Development" })
            .Validate(null, new RequiredSettings()).Succeeded);
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
}
