using System.Net;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Testing;
using System.Globalization;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.IntegrationTests.Production;

// Every options class is checked when the host starts: a bad value stops the start with a message that names
// the environment variable to fix, instead of a silent fallback or a failure at first use.
public sealed class SettingsValidationTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Theory]
    [InlineData("Smtp:Security", "StartTLS-please", "Smtp__Security")]
    [InlineData("Smtp:Port", "0", "Smtp__Port")]
    [InlineData("ApiKeys:RevealPolicy:Production", "7", "ApiKeys__RevealPolicy__Production")]
    [InlineData("ApiKeys:RequestsPerMinutePerKey", "0", "ApiKeys__RequestsPerMinutePerKey")]
    [InlineData("Sessions:IdleTimeout", "00:00:01", "Sessions__IdleTimeout")]
    [InlineData("Auth:StepUpMaxAge", "-00:01:00", "Auth__StepUpMaxAge")]
    [InlineData("ServiceApi:Audience", "", "ServiceApi__Audience")]
    [InlineData("SecretScanning:GitHub:PublicKeysUrl", "not a url", "SecretScanning__GitHub__PublicKeysUrl")]
    [InlineData("Telemetry:PrometheusPort", "70000", "Telemetry__PrometheusPort")]
    [InlineData("ForwardedHeaders:KnownProxies", "10.0.0.1, nginx", "ForwardedHeaders__KnownProxies")]
    [InlineData("ForwardedHeaders:KnownNetworks", "10.0.0.0/33", "ForwardedHeaders__KnownNetworks")]
    public void A_bad_value_stops_the_start_naming_its_variable(string key, string value, string variable)
    {
        using var portal = new PortalFactory(database.ConnectionString, new Dictionary<string, string?> { [key] = value });

        var error = Assert.Throws<OptionsValidationException>(() => portal.Services);

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_defaults_pass()
    {
        using var portal = new PortalFactory(database.ConnectionString);

        Assert.NotNull(portal.Services);
    }

    [Fact]
    public void Outside_development_there_is_no_default_connection_string()
    {
        var configuration = new ConfigurationBuilder()
            .AddJsonFile(RepositoryPaths.Project("src/Datakeen.Portal/appsettings.json"))
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Oidc:Authority"] = "https://login.example",
                ["Oidc:ClientId"] = "datakeen-portal",
                ["Oidc:ClientSecret"] = "secret",
            })
            .Build();

        var result = new RequiredSettingsValidation(configuration, new HostingEnvironment { EnvironmentName = "Production" })
            .Validate(null, new RequiredSettings());

        Assert.True(result.Failed);
        Assert.Contains("ConnectionStrings__Portal", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void In_production_forwarded_headers_from_anyone_and_metrics_on_the_public_port_are_refused()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = database.ConnectionString,
            ["Oidc:Authority"] = "https://login.example",
            ["Oidc:ClientId"] = "datakeen-portal",
            ["Oidc:ClientSecret"] = "secret",
            ["FORWARDEDHEADERS_ENABLED"] = "true",
            ["Telemetry:PrometheusEnabled"] = "true",
        }).Build();

        var result = new RequiredSettingsValidation(configuration, new HostingEnvironment { EnvironmentName = "Production" })
            .Validate(null, new RequiredSettings());

        Assert.True(result.Failed);
        Assert.Contains("ForwardedHeaders__KnownProxies", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Telemetry__PrometheusPort", result.FailureMessage, StringComparison.Ordinal);
    }

    // The metrics listener is told by the connection's local port; the Host header is the client's to choose.
    [Fact]
    public async Task Metrics_answer_on_their_own_listener_only_whatever_the_host_header_says()
    {
        var metricsPort = FreePort();
        await using var portal = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Telemetry:PrometheusEnabled"] = "true",
            ["Telemetry:PrometheusPort"] = metricsPort.ToString(CultureInfo.InvariantCulture),
            // A second Kestrel endpoint beside the test's own, as ASPNETCORE_URLS gives compose's replicas.
            ["Kestrel:Endpoints:Metrics:Url"] = $"http://127.0.0.1:{metricsPort}",
        });
        portal.StartOnKestrel();
        var addresses = portal.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var publicAddress = new Uri(addresses.Single(a => new Uri(a).Port != metricsPort));
        using var client = new HttpClient { BaseAddress = publicAddress };

        foreach (var path in new[] { "/metrics", "/Metrics", "/metrics/" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Host = $"localhost:{metricsPort}";
            using var response = await client.SendAsync(request);
            // Not the exporter (what answers instead is the pages' handling of this provider-less host).
            Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain("# TYPE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var scrape = await client.GetAsync($"http://127.0.0.1:{metricsPort}/metrics");
        Assert.True(scrape.StatusCode == HttpStatusCode.OK, $"{(int)scrape.StatusCode} {await scrape.Content.ReadAsStringAsync()}");
        Assert.Contains("# TYPE", await scrape.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
