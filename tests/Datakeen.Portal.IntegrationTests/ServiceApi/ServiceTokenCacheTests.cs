using System.Net;
using Datakeen.Portal.ServiceApi;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Datakeen.Portal.IntegrationTests.ServiceApi;

// A service token's authentication is remembered until the token expires (ServiceTokenHandler), and what can change
// while it lives is still checked on every call: the allow-list here, the lifetime in KeyVerifyTests
// (An_expired_token_of_the_provider_is_401, whose first call is remembered).
public sealed class ServiceTokenCacheTests(ServiceApiFixture fixture) : IClassFixture<ServiceApiFixture>
{
    [Fact]
    public async Task A_remembered_token_of_a_client_taken_off_the_allow_list_is_refused_from_the_next_call()
    {
        await using var portal = new PortalFactory(fixture.ConnectionString, ServiceApiFixture.Settings(fixture.Identity));
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var token = await ServiceTokens.RequestAsync(fixture.Identity);
        using var client = ServiceApiFixture.ClientWith(portal, token);
        using (var first = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }
        Assert.True(IsRemembered(portal, token), "the token's authentication was not remembered");

        // The operator takes the gateway off ServiceApi:AllowedClients (a configuration reload, no restart).
        SetAllowedClients(portal, ServiceApiFixture.ReportingClientId, ServiceApiFixture.ReportingClientId);
        using (var refused = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Equal("invalid_service_token", await ServiceApiFixture.ProblemCodeAsync(refused));
        }

        SetAllowedClients(portal, ServiceTokens.GatewayClientId, ServiceApiFixture.ReportingClientId);
        using var back = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
    }

    [Fact]
    public async Task Another_signature_on_a_remembered_tokens_claims_is_refused()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        var token = await ServiceTokens.RequestAsync(fixture.Identity);
        using var realClient = fixture.ClientWith(token);
        using (var real = await ServiceApiFixture.VerifyAsync(realClient, workspace.TestSecretKey))
        {
            Assert.Equal(HttpStatusCode.OK, real.StatusCode);
        }
        Assert.True(IsRemembered(fixture.Portal, token), "the token's authentication was not remembered");

        var parts = token.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[10] ^= 0x01;
        using var forgedClient = fixture.ClientWith($"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}");
        using var forged = await ServiceApiFixture.VerifyAsync(forgedClient, workspace.TestSecretKey);

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Equal("invalid_service_token", await ServiceApiFixture.ProblemCodeAsync(forged));
    }

    private static bool IsRemembered(PortalFactory portal, string token) =>
        ServiceTokenResults.TryDigest("Bearer " + token, out var digest) &&
        portal.Services.GetRequiredService<ServiceTokenResults>().TryGet(digest, out _);

    private static void SetAllowedClients(PortalFactory portal, string first, string second)
    {
        var configuration = (IConfigurationRoot)portal.Services.GetRequiredService<IConfiguration>();
        configuration["ServiceApi:AllowedClients:0"] = first;
        configuration["ServiceApi:AllowedClients:1"] = second;
        configuration.Reload();
        // The reload reached the options (the list replaces the default, it is not appended to it).
        Assert.Equal([first, second], portal.Services.GetRequiredService<IOptionsMonitor<ServiceApiOptions>>().CurrentValue.AllowedClients);
    }
}
