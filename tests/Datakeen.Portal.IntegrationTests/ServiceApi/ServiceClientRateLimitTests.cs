using System.Net;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.IntegrationTests.ServiceApi;

// POST /api/v1/keys/verify has a budget per calling service client: beyond it, 429 with Retry-After.
public sealed class ServiceClientRateLimitTests(ServiceApiFixture fixture) : IClassFixture<ServiceApiFixture>
{
    [Fact]
    public async Task A_client_over_its_verify_budget_gets_429_with_retry_after()
    {
        var settings = ServiceApiFixture.Settings(fixture.Identity);
        settings["ServiceApi:RequestsPerMinutePerClient"] = "2";
        await using var portal = new PortalFactory(fixture.ConnectionString, settings);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        using var client = ServiceApiFixture.ClientWith(portal, fixture.GatewayToken);

        using var first = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);
        using var second = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);
        using var third = await ServiceApiFixture.VerifyAsync(client, workspace.TestSecretKey);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode);
        Assert.True(third.Headers.RetryAfter?.Delta > TimeSpan.Zero, $"Retry-After: {third.Headers.RetryAfter}");
        Assert.Equal("rate_limited", await ServiceApiFixture.ProblemCodeAsync(third));
    }
}
