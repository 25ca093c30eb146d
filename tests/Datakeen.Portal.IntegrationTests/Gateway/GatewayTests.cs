using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Gateway;

// The portal on Kestrel behind Debian's nginx running deploy/gateway/ (see NginxGateway).
public class GatewayFixture : IAsyncLifetime
{
    public const string SharedSecret = "gateway-test-shared-secret";

    private readonly PortalDatabaseFixture _database = new();

    public PortalFactory Portal { get; private set; } = null!;
    public Uri PortalAddress { get; private set; } = null!;
    public NginxGateway Nginx { get; private set; } = null!;

    // Most gateway tests send bad keys on purpose: their address must not run out of failed attempts.
    protected virtual Dictionary<string, string?> Settings => new()
    {
        ["Gateway:SharedSecret"] = SharedSecret,
        ["ApiKeys:FailedAttemptsPerMinute"] = "10000",
    };

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Portal = new PortalFactory(_database.ConnectionString, Settings);
        PortalAddress = Portal.StartOnKestrel();
        Nginx = await NginxGateway.StartAsync(PortalAddress, SharedSecret);
    }

    public async Task DisposeAsync()
    {
        if (Nginx is not null)
        {
            await Nginx.DisposeAsync();
        }
        await Portal.DisposeAsync();
        await _database.DisposeAsync();
    }
}

public sealed class GatewayTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    [Fact]
    public async Task A_test_secret_reaches_the_sandbox_upstream_with_the_workspace_header_and_without_authorization()
    {
        var workspace = await TestWorkspaces.CreateAsync(gateway.Portal);

        var (status, echo) = await CallAsync(workspace.TestSecretKey, "/backend/v1/journeys?x=1");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("journey-sandbox", echo["upstream"]);
        Assert.Equal("/backend/v1/journeys?x=1", echo["uri"]);
        Assert.Equal(workspace.Id.ToString("D"), echo["workspace"]);
        Assert.Equal("test", echo["environment"]);
        Assert.Equal("secret", echo["keyType"]);
        Assert.Equal("", echo["authorization"]);
    }

    [Fact]
    public async Task Live_keys_reach_the_production_upstreams_of_both_apis()
    {
        var workspace = await TestWorkspaces.CreateAsync(gateway.Portal);

        var (journeyStatus, journey) = await CallAsync(workspace.LiveSecretKey, "/backend/v1/journeys");
        var (documentsStatus, documents) = await CallAsync(workspace.LivePublicKey, "/api/v1/public/documents");
        var (sandboxStatus, sandbox) = await CallAsync(workspace.TestPublicKey, "/api/v1/public/documents");

        Assert.Equal((HttpStatusCode.OK, "journey-production", "production"), (journeyStatus, journey["upstream"], journey["environment"]));
        Assert.Equal((HttpStatusCode.OK, "documents-production", "public"), (documentsStatus, documents["upstream"], documents["keyType"]));
        Assert.Equal((HttpStatusCode.OK, "documents-sandbox", "test"), (sandboxStatus, sandbox["upstream"], sandbox["environment"]));
        Assert.All([journey, documents, sandbox], e => Assert.Equal(workspace.Id.ToString("D"), e["workspace"]));
    }

    [Theory]
    [InlineData("/api/v1/documents")]
    [InlineData("/backend/v1/journeys")]
    [InlineData("/backend/v1/publicity")]
    public async Task A_public_key_off_the_public_key_routes_is_403_at_the_gateway_and_never_reaches_an_upstream(string route)
    {
        var workspace = await TestWorkspaces.CreateAsync(gateway.Portal);
        var marker = $"{route}/{Guid.NewGuid():N}";

        using var client = new HttpClient { BaseAddress = gateway.Nginx.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, marker);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workspace.TestPublicKey);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("public_key_not_allowed", problem.GetProperty("code").GetString());
        Assert.All(NginxGateway.Upstreams, u => Assert.DoesNotContain(marker, gateway.Nginx.AccessLogOf(u)));
    }

    [Fact]
    public async Task Headers_the_customer_sends_under_the_gateway_names_are_replaced()
    {
        var workspace = await TestWorkspaces.CreateAsync(gateway.Portal);
        using var client = new HttpClient { BaseAddress = gateway.Nginx.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/backend/spoof");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workspace.TestSecretKey);
        request.Headers.Add("X-Datakeen-Workspace-Id", Guid.NewGuid().ToString("D"));
        request.Headers.Add("X-Datakeen-Environment", "production");
        request.Headers.Add("X-Datakeen-Public-Key-Route", "1");

        using var response = await client.SendAsync(request);
        var echo = Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal("journey-sandbox", echo["upstream"]);
        Assert.Equal(workspace.Id.ToString("D"), echo["workspace"]);
        Assert.Equal("test", echo["environment"]);
    }

    [Fact]
    public async Task A_revoked_key_gets_the_problem_json_401_and_never_reaches_an_upstream()
    {
        var workspace = await TestWorkspaces.CreateAsync(gateway.Portal);
        var old = workspace.TestSecretKey;
        var rotation = await gateway.Portal.Services.GetRequiredService<IApiKeyManager>().RotateAsync(workspace.Id,
            workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id, gracePeriod: null, workspace.Admin);
        var marker = $"/backend/revoked-{Guid.NewGuid():N}";

        using var client = new HttpClient { BaseAddress = gateway.Nginx.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, marker);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", old);
        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_api_key", problem.GetProperty("code").GetString());
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.All(NginxGateway.Upstreams, u => Assert.DoesNotContain(marker, gateway.Nginx.AccessLogOf(u)));
        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
    }

    [Fact]
    public async Task A_missing_or_malformed_key_is_the_same_401_problem()
    {
        using var client = new HttpClient { BaseAddress = gateway.Nginx.Address };

        using var none = await client.GetAsync("/api/v1/documents");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/documents");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer dk_test_sk_not-a-key");
        using var malformed = await client.SendAsync(request);

        foreach (var response in new[] { none, malformed })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("invalid_api_key", problem.GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task A_rotation_is_effective_at_the_gateway_immediately()
    {
        var workspace = await TestWorkspaces.CreateAsync(gateway.Portal);
        var old = workspace.TestSecretKey;
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(old, "/backend/before")).Status);

        var rotation = await gateway.Portal.Services.GetRequiredService<IApiKeyManager>().RotateAsync(workspace.Id,
            workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id, gracePeriod: null, workspace.Admin);
        var (oldStatus, _) = await CallAsync(old, "/backend/after");
        var (newStatus, echo) = await CallAsync(rotation.NewPlaintext!, "/backend/after");

        Assert.Equal(HttpStatusCode.Unauthorized, oldStatus);
        Assert.Equal(HttpStatusCode.OK, newStatus);
        Assert.Equal(workspace.Id.ToString("D"), echo["workspace"]);
    }

    [Fact]
    public async Task The_hook_answers_only_the_gateway()
    {
        var workspace = await TestWorkspaces.CreateAsync(gateway.Portal);
        using var client = new HttpClient { BaseAddress = gateway.PortalAddress };
        foreach (var secret in new[] { null, "wrong-secret" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/gateway/authorize");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workspace.TestSecretKey);
            if (secret is not null)
            {
                request.Headers.Add("X-Gateway-Secret", secret);
            }

            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.False(response.Headers.Contains("X-Datakeen-Workspace-Id"));
        }
    }

    private async Task<(HttpStatusCode Status, Dictionary<string, string> Echo)> CallAsync(string key, string path)
    {
        using var client = new HttpClient { BaseAddress = gateway.Nginx.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.IsSuccessStatusCode ? Parse(body) : []);
    }

    private static Dictionary<string, string> Parse(string echo) => echo
        .Split('\n', StringSplitOptions.RemoveEmptyEntries)
        .Select(line => line.Split('=', 2))
        .ToDictionary(parts => parts[0], parts => parts.Length > 1 ? parts[1] : "");
}
