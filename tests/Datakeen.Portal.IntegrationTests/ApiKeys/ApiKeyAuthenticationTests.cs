using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.ApiKeys;

public sealed class ApiKeyAuthenticationTests(ApiKeyAuthenticationTests.Host host) : IClassFixture<ApiKeyAuthenticationTests.Host>
{
    [Theory]
    [InlineData("test", "public")]
    [InlineData("test", "secret")]
    [InlineData("production", "public")]
    [InlineData("production", "secret")]
    public async Task Whoami_identifies_each_of_the_four_keys(string environment, string keyType)
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal, "Acme Corp");
        var key = (environment, keyType) switch
        {
            ("test", "public") => workspace.TestPublicKey,
            ("test", "secret") => workspace.TestSecretKey,
            ("production", "public") => workspace.LivePublicKey,
            _ => workspace.LiveSecretKey,
        };
        using var client = ClientWith(key);

        using var response = await client.GetAsync("/api/v1/whoami");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(workspace.Id, body.GetProperty("workspace").GetProperty("id").GetGuid());
        Assert.Equal("Acme Corp", body.GetProperty("workspace").GetProperty("name").GetString());
        Assert.Equal(workspace.Slug, body.GetProperty("workspace").GetProperty("slug").GetString());
        Assert.Equal(environment, body.GetProperty("environment").GetString());
        Assert.Equal(keyType, body.GetProperty("keyType").GetString());
        Assert.Equal($"{key[..11]}…{key[^4..]}", body.GetProperty("keyHint").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer")]
    [InlineData("Bearer ")]
    [InlineData("Basic xyz")]
    [InlineData("Basic ZGtfdGVzdDpwYXNz")]
    [InlineData("Bearer dk_test_sk_not-a-key")]
    [InlineData("Bearer \u00e9\u00e9\u00e9")]
    public async Task Missing_or_malformed_authorization_answers_401_invalid_api_key(string? header)
    {
        using var client = host.Portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        if (header is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", header);
        }

        using var response = await client.SendAsync(request);

        await AssertInvalidApiKeyAsync(response);
    }

    [Fact]
    public async Task A_10_KB_authorization_header_answers_401_not_500()
    {
        using var client = host.Portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + new string('A', 10 * 1024));

        using var response = await client.SendAsync(request);

        await AssertInvalidApiKeyAsync(response);
    }

    [Fact]
    public async Task Two_authorization_headers_answer_401()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        using var client = host.Portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        request.Headers.TryAddWithoutValidation("Authorization", ["Bearer " + workspace.TestSecretKey, "Bearer " + workspace.TestPublicKey]);

        using var response = await client.SendAsync(request);

        await AssertInvalidApiKeyAsync(response);
    }

    [Fact]
    public async Task A_key_with_a_wrong_checksum_answers_401()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.TestSecretKey;
        var tampered = key[..^1] + (key[^1] == 'a' ? 'b' : 'a');
        using var client = ClientWith(tampered);

        await AssertInvalidApiKeyAsync(await client.GetAsync("/api/v1/whoami"));
    }

    [Fact]
    public async Task A_well_formed_but_unknown_key_answers_401_with_the_same_message()
    {
        var unknown = KeyFormat.Generate(KeyEnvironment.Test,
            KeyKind.Secret);
        using var client = ClientWith(unknown);

        await AssertInvalidApiKeyAsync(await client.GetAsync("/api/v1/whoami"));
    }

    [Fact]
    public async Task A_public_key_on_a_secret_only_endpoint_answers_403_public_key_not_allowed()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        using var publicClient = ClientWith(workspace.TestPublicKey);
        using var secretClient = ClientWith(workspace.LiveSecretKey);

        using var refused = await publicClient.GetAsync(SecretOnlyProbe.Path);
        using var allowed = await secretClient.GetAsync(SecretOnlyProbe.Path);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("public_key_not_allowed", problem.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
    }

    [Fact]
    public async Task Whoami_is_documented_in_the_openapi_document()
    {
        using var client = host.Portal.CreateClient();

        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var operation = document.GetProperty("paths").GetProperty("/api/v1/whoami").GetProperty("get");
        Assert.Equal("WhoAmI", operation.GetProperty("operationId").GetString());
        Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _));
        Assert.False(document.GetProperty("paths").TryGetProperty(SecretOnlyProbe.Path, out _));
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.True(Assert.Single(operation.GetProperty("security").EnumerateArray()).TryGetProperty("ApiKey", out _));
    }

    // The portal with a probe endpoint of the test host's own behind the secret-key policy, so the policy
    // is proven independently of the endpoints that use it.
    public sealed class Host : PortalHost
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["ApiKeys:FailedAttemptsPerMinute"] = "1000",
        };

        protected override void ConfigureTestServices(IServiceCollection services) =>
            services.AddSingleton<IStartupFilter, SecretOnlyProbe>();
    }

    private sealed class SecretOnlyProbe : IStartupFilter
    {
        public const string Path = "/api/v1/test-probe/secret-only";

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map(Path, probe => probe
                .UseRouting()
                .UseAuthorization()
                .UseEndpoints(endpoints => endpoints
                    .MapGet("/", () => Results.NoContent())
                    .RequireAuthorization(ApiKeyPolicies.SecretKey)));
            next(app);
        };
    }

    private HttpClient ClientWith(string key)
    {
        var client = host.Portal.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    internal static async Task AssertInvalidApiKeyAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", Assert.Single(response.Headers.WwwAuthenticate).Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("invalid_api_key", problem.GetProperty("code").GetString());
        Assert.Equal(Datakeen.Portal.ApiKeys.ApiKeyProblems.InvalidApiKeyDetail, problem.GetProperty("detail").GetString());
    }
}
