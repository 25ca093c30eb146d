using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Datakeen.Portal.IntegrationTests.ServiceApi;

public sealed class KeyVerifyTests(ServiceApiFixture fixture) : IClassFixture<ServiceApiFixture>
{
    [Fact]
    public async Task A_service_token_from_the_provider_verifies_a_customer_key()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        using var client = fixture.ClientWith(fixture.GatewayToken);

        using var response = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("valid").GetBoolean());
        Assert.Equal(workspace.Id, body.GetProperty("workspace").GetProperty("id").GetGuid());
        Assert.Equal(workspace.Slug, body.GetProperty("workspace").GetProperty("slug").GetString());
        Assert.Equal(workspace.Name, body.GetProperty("workspace").GetProperty("name").GetString());
        Assert.Equal("test", body.GetProperty("environment").GetString());
        Assert.Equal("secret", body.GetProperty("keyType").GetString());
        Assert.Equal($"{workspace.TestSecretKey[..11]}…{workspace.TestSecretKey[^4..]}", body.GetProperty("keyHint").GetString());
        Assert.Equal(20, body.GetProperty("credits").GetProperty("remaining").GetInt64());
    }

    [Fact]
    public async Task A_verification_shows_in_the_keys_activity_as_the_service_that_asked_and_never_the_key()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        using var client = fixture.ClientWith(fixture.GatewayToken);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("journey-api/2.3");

        using var response = await ServiceApiFixture.VerifyAsync(client, key.Plaintext);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requestId = response.Headers.GetValues("Request-Id").Single();

        await fixture.Portal.Services.GetRequiredService<KeyActivityWriter>().FlushAsync(CancellationToken.None);
        var view = await fixture.Portal.Services.GetRequiredService<KeyActivityQueries>().GetAsync(workspace.Id, key.Id, workspace.Admin);

        var row = Assert.Single(view!.Recent);
        Assert.Equal($"verify by {ServiceTokens.GatewayClientId}", row.Route);
        Assert.Equal(ActivityOutcomes.Ok, row.Outcome);
        Assert.Equal(("journey-api/2.3", requestId), (row.UserAgent, row.RequestId));
        Assert.DoesNotContain(key.Plaintext[11..], row.Route + row.UserAgent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_revoked_and_malformed_keys_are_a_verdict_not_an_error()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        await fixture.Portal.Services.GetRequiredService<IApiKeyManager>().RotateAsync(workspace.Id,
            workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id, gracePeriod: null, workspace.Admin);
        using var client = fixture.ClientWith(fixture.GatewayToken);

        foreach (var candidate in new[] { workspace.TestSecretKey, KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret), "not a key" })
        {
            using var response = await ServiceApiFixture.VerifyAsync(client, candidate);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("""{"valid":false,"code":"invalid_api_key"}""", await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_customer_key_as_the_bearer_is_401()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        using var client = fixture.ClientWith(workspace.TestSecretKey);

        using var response = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_service_token", await ServiceApiFixture.ProblemCodeAsync(response));
    }

    [Fact]
    public async Task No_token_is_401()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        using var client = fixture.ClientWith(null);

        using var response = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_service_token", await ServiceApiFixture.ProblemCodeAsync(response));
    }

    [Fact]
    public async Task A_token_of_the_provider_without_the_verify_scope_is_403()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        var token = await ServiceTokens.RequestAsync(fixture.Identity, ServiceApiFixture.ReportingClientId,
            ServiceApiFixture.ReportingClientSecret, "datakeen.reports.read");
        using var client = fixture.ClientWith(token);

        using var response = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("insufficient_scope", await ServiceApiFixture.ProblemCodeAsync(response));
    }

    [Fact]
    public async Task A_token_with_the_right_claims_signed_by_a_foreign_key_is_401()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        using var foreignKey = RSA.Create(2048);
        var forged = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = fixture.Identity.Authority + "/",
            Audience = "datakeen-portal-api",
            Subject = new ClaimsIdentity([new Claim("sub", ServiceTokens.GatewayClientId), new Claim("scope", ServiceTokens.VerifyScope)]),
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(foreignKey) { KeyId = "foreign" }, SecurityAlgorithms.RsaSha256),
        });
        using var client = fixture.ClientWith(forged);

        using var response = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_service_token", await ServiceApiFixture.ProblemCodeAsync(response));
    }

    [Fact]
    public async Task An_expired_token_of_the_provider_is_401()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(fixture.ConnectionString, time, ServiceApiFixture.Settings(fixture.Identity));
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var token = await ServiceTokens.RequestAsync(fixture.Identity);
        using var client = ServiceApiFixture.ClientWith(portal, token);
        using (var fresh = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey))
        {
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
        }

        // The provider's tokens live one hour; the portal allows 30 seconds of clock skew.
        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        using var expired = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);

        Assert.Equal(HttpStatusCode.Unauthorized, expired.StatusCode);
        Assert.Equal("invalid_service_token", await ServiceApiFixture.ProblemCodeAsync(expired));
    }

    [Fact]
    public async Task A_cost_debits_exactly_once_per_idempotency_key_under_100_parallel_calls()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        using var client = fixture.ClientWith(fixture.GatewayToken);
        using var start = new SemaphoreSlim(0);

        var calls = Enumerable.Range(0, 100).Select(async _ =>
        {
            await start.WaitAsync();
            using var response = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey,
                cost: 3, idempotencyKey: "analysis-42");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }).ToList();
        start.Release(calls.Count);
        var answers = await Task.WhenAll(calls);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Single(answers.Select(a => a.Body).Distinct());
        var body = JsonDocument.Parse(answers[0].Body).RootElement;
        Assert.True(body.GetProperty("valid").GetBoolean());
        Assert.Equal(17, body.GetProperty("credits").GetProperty("remaining").GetInt64());
        Assert.Equal(17, await fixture.BalanceAsync(workspace.Id, KeyEnvironment.Test));
        Assert.Equal(1, await fixture.ConsumeEntriesAsync(workspace.Id, KeyEnvironment.Test));
    }

    [Fact]
    public async Task Costs_refuse_at_zero_with_insufficient_credits_and_never_overspend()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        using var client = fixture.ClientWith(fixture.GatewayToken);
        using var start = new SemaphoreSlim(0);

        var calls = Enumerable.Range(0, 100).Select(async i =>
        {
            await start.WaitAsync();
            using var response = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey, cost: 1, idempotencyKey: $"call-{i}");
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        }).ToList();
        start.Release(calls.Count);
        var verdicts = await Task.WhenAll(calls);

        Assert.Equal(20, verdicts.Count(v => v.GetProperty("valid").GetBoolean()));
        Assert.All(verdicts.Where(v => !v.GetProperty("valid").GetBoolean()),
            v => Assert.Equal("insufficient_credits", v.GetProperty("code").GetString()));
        Assert.Equal(0, await fixture.BalanceAsync(workspace.Id, KeyEnvironment.Test));
        Assert.Equal(20, await fixture.ConsumeEntriesAsync(workspace.Id, KeyEnvironment.Test));
        using var atZero = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey, cost: 1, idempotencyKey: "one-more");
        Assert.Equal("""{"valid":false,"code":"insufficient_credits"}""", await atZero.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_same_idempotency_key_with_another_cost_is_refused_and_a_public_key_cannot_be_charged()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        using var client = fixture.ClientWith(fixture.GatewayToken);
        (await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey, cost: 1, idempotencyKey: "k")).Dispose();

        using var reused = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey, cost: 2, idempotencyKey: "k");
        using var publicKey = await ServiceApiFixture.VerifyAsync(client, workspace.TestPublicKey, cost: 1, idempotencyKey: "p");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, reused.StatusCode);
        Assert.Equal("idempotency_key_reused", await ServiceApiFixture.ProblemCodeAsync(reused));
        Assert.Equal("""{"valid":false,"code":"public_key_not_allowed"}""", await publicKey.Content.ReadAsStringAsync());
        Assert.Equal(19, await fixture.BalanceAsync(workspace.Id, KeyEnvironment.Test));
    }

    [Theory]
    [InlineData("""{"key":"x","cost":1}""", "missing_idempotency_key")]
    [InlineData("""{"key":"x","cost":101,"idempotencyKey":"a"}""", "invalid_request")]
    [InlineData("""{"key":"x","cost":-1}""", "invalid_request")]
    [InlineData("""{"cost":0}""", "invalid_request")]
    [InlineData("""{"key":"x","extra":1}""", "invalid_request")]
    [InlineData("""[1]""", "invalid_request")]
    [InlineData("""{"key":""", "invalid_request")]
    public async Task Malformed_requests_are_400_problems(string json, string code)
    {
        using var client = fixture.ClientWith(fixture.GatewayToken);

        using var response = await client.PostAsync("/api/v1/keys/verify",
            new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, await ServiceApiFixture.ProblemCodeAsync(response));
    }
}
