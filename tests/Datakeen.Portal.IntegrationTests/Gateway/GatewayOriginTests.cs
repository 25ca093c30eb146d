using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Gateway;

// A public key's allowed websites through nginx (deploy/gateway/): the hook answers 403 origin_not_allowed to an
// unlisted Origin, the proxy names a listed origin in its CORS answer, and the key's activity names the upstream path.
public sealed class GatewayOriginTests(GatewayFixture gateway) : IClassFixture<GatewayFixture>
{
    private const string PublicRoute = "/api/v1/public/documents";

    [Fact]
    public async Task A_public_key_with_allowed_websites_is_refused_from_an_unlisted_origin_and_passes_from_a_listed_one()
    {
        var workspace = await TestWorkspaces.CreateAsync(gateway.Portal);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Public);
        var saved = await gateway.Portal.Services.GetRequiredService<KeyAllowedOrigins>()
            .SaveAsync(workspace.Id, key.Id, ["https://app.example.com"], workspace.Admin);
        Assert.Equal(AllowedOriginsOutcome.Saved, saved.Outcome);

        using (var refused = await CallAsync(key.Plaintext, "https://copycat.example.net"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("origin_not_allowed", problem.RootElement.GetProperty("code").GetString());
        }

        using (var allowed = await CallAsync(key.Plaintext, "https://app.example.com"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("https://app.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }

        using (var server = await CallAsync(key.Plaintext, origin: null))
        {
            Assert.Equal(HttpStatusCode.OK, server.StatusCode);
            Assert.False(server.Headers.Contains("Access-Control-Allow-Origin"));
        }

        await gateway.Portal.Services.GetRequiredService<KeyActivityWriter>().FlushAsync(CancellationToken.None);
        var activity = await gateway.Portal.Services.GetRequiredService<KeyActivityQueries>()
            .GetAsync(workspace.Id, key.Id, workspace.Admin);
        Assert.Equal(3, activity!.Recent.Count);
        Assert.All(activity.Recent, r => Assert.Equal($"gateway {PublicRoute}", r.Route));
        Assert.Equal("https://copycat.example.net", Assert.Single(activity.Recent, r => r.Outcome == ActivityOutcomes.OriginNotAllowed).Origin);
        Assert.All(activity.Recent, r => Assert.Equal("gateway-origin-test/1.0", r.UserAgent));
    }

    private async Task<HttpResponseMessage> CallAsync(string key, string? origin)
    {
        using var client = new HttpClient { BaseAddress = gateway.Nginx.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, PublicRoute + "?q=1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.UserAgent.ParseAdd("gateway-origin-test/1.0");
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }
}
