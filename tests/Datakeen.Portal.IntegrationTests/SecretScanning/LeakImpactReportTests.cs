using System.Net;
using System.Net.Http.Headers;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.SecretScanning;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.SecretScanning;

// What a leaked key did (docs/leak-reports.md, "Impact report"): its requests from 24 hours before the report until it
// stopped working (or now), by day and client, the clients first seen after the report, the credits debited.
public sealed class LeakImpactReportTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task The_impact_report_lists_the_requests_clients_and_credits_of_a_leaked_key()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var member = await TestWorkspaces.AddMemberAsync(portal.Services, workspace.Id);
        var outsider = await TestWorkspaces.CreateOutsiderAsync(portal.Services);
        var test = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        var live = workspace.Key(KeyEnvironment.Production, KeyKind.Secret);
        var reports = portal.Services.GetRequiredService<LeakImpactReport>();
        Assert.Null(await reports.GetAsync(workspace.Id, test.Id, workspace.Admin));

        // Before the report: the team's own server calls with both keys (whoami three times: one coalesced row) and
        // spends 2 test credits.
        using var server = Client(portal, "team-server/3.1");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await Send(server, HttpMethod.Get, "/api/v1/whoami", test.Plaintext)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await Send(server, HttpMethod.Post, "/api/v1/credits/consume", test.Plaintext, amount: 2)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(server, HttpMethod.Get, "/api/v1/whoami", live.Plaintext)).StatusCode);
        await FlushAsync(portal);

        await portal.Services.GetRequiredService<LeakResponder>().RespondAsync(
        [
            new LeakReportRequest(test.Plaintext, "datakeen_test_secret_key", "https://github.com/someone/app/blob/main/.env", "content"),
            new LeakReportRequest(live.Plaintext, "datakeen_live_secret_key", "https://gist.github.com/someone/1", "gist"),
        ], CancellationToken.None);

        // After the report: someone else uses the Production key (still working: it was only flagged); the revoked
        // test key is refused and so not in its report.
        using var stranger = Client(portal, "python-requests/2.31");
        Assert.Equal(HttpStatusCode.OK, (await Send(stranger, HttpMethod.Get, "/api/v1/whoami", live.Plaintext)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Send(stranger, HttpMethod.Get, "/api/v1/whoami", test.Plaintext)).StatusCode);
        await FlushAsync(portal);

        var testImpact = await reports.GetAsync(workspace.Id, test.Id, member);
        Assert.NotNull(testImpact);
        Assert.False(testImpact.StillWorks);
        Assert.Equal(4, testImpact.Requests);
        Assert.Equal(2, testImpact.CreditsDebited);
        Assert.Equal(4, Assert.Single(testImpact.Days).Requests);
        var own = Assert.Single(testImpact.Clients);
        Assert.Equal(("team-server/3.1", 4L, false), (own.UserAgent, own.Requests, own.NewAfterReport));
        Assert.Equal(testImpact.ReportedAt - TimeSpan.FromHours(24), testImpact.From);

        var liveImpact = await reports.GetAsync(workspace.Id, live.Id, workspace.Admin);
        Assert.NotNull(liveImpact);
        Assert.True(liveImpact.StillWorks);
        Assert.Equal(2, liveImpact.Requests);
        Assert.False(liveImpact.Clients.Single(c => c.UserAgent == "team-server/3.1").NewAfterReport);
        Assert.True(liveImpact.Clients.Single(c => c.UserAgent == "python-requests/2.31").NewAfterReport);
        Assert.Null(await reports.GetAsync(workspace.Id, live.Id, outsider));
    }

    private static HttpClient Client(PortalFactory portal, string userAgent)
    {
        var client = portal.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return client;
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, string path, string key, int? amount = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (amount is { } n)
        {
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            request.Content = new StringContent($$"""{"amount":{{n}}}""", System.Text.Encoding.UTF8, "application/json");
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private static Task FlushAsync(PortalFactory portal) =>
        portal.Services.GetRequiredService<KeyActivityWriter>().FlushAsync(CancellationToken.None);
}
