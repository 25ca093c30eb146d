using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Data;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.ServiceApi;

// A migrated database, the development provider (with the gateway client, and a second service client
// whose only scope is not the verify scope) and the portal trusting that provider for service tokens.
public sealed class ServiceApiFixture : IAsyncLifetime
{
    public const string ReportingClientId = "datakeen-reporting";
    public const string ReportingClientSecret = "datakeen-reporting-dev-secret";

    private readonly PortalDatabaseFixture _database = new();

    public DevIdentityServer Identity { get; private set; } = null!;
    public PortalFactory Portal { get; private set; } = null!;
    public string GatewayToken { get; private set; } = "";

    public string ConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Identity = await DevIdentityServer.StartAsync(
            $"--DevIdentity:ServiceClients:1:ClientId={ReportingClientId}",
            $"--DevIdentity:ServiceClients:1:ClientSecret={ReportingClientSecret}",
            "--DevIdentity:ServiceClients:1:Scopes:0=datakeen.reports.read",
            "--DevIdentity:ServiceClients:1:Audience=datakeen-portal-api");
        Portal = new PortalFactory(_database.ConnectionString, Settings(Identity));
        Portal.CreateClient().Dispose();
        GatewayToken = await ServiceTokens.RequestAsync(Identity);
    }

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        await Identity.DisposeAsync();
        await _database.DisposeAsync();
    }

    public static Dictionary<string, string?> Settings(DevIdentityServer identity) => new()
    {
        ["ServiceApi:Authority"] = identity.Authority,
        ["ApiKeys:FailedAttemptsPerMinute"] = "10000",
        ["ApiKeys:RequestsPerMinutePerKey"] = "10000",
        ["ServiceApi:AllowedClients:0"] = ServiceTokens.GatewayClientId,
        ["ServiceApi:AllowedClients:1"] = ReportingClientId,
    };

    public Task<TestWorkspace> CreateWorkspaceAsync() => TestWorkspaces.CreateAsync(Portal);

    public HttpClient ClientWith(string? bearer) => ClientWith(Portal, bearer);

    public static HttpClient ClientWith(PortalFactory portal, string? bearer)
    {
        var client = portal.CreateClient();
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        return client;
    }

    public static Task<HttpResponseMessage> VerifyAsync(HttpClient client, string key, int? cost = null, string? idempotencyKey = null) =>
        client.PostAsJsonAsync("/api/v1/keys/verify", new { key, cost, idempotencyKey });

    public async Task<long> BalanceAsync(Guid workspaceId, KeyEnvironment environment)
    {
        await using var db = await Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.CreditAccounts.Where(a => a.WorkspaceId == workspaceId && a.Environment == environment)
            .Select(a => a.Balance).SingleAsync();
    }

    public async Task<int> ConsumeEntriesAsync(Guid workspaceId, KeyEnvironment environment)
    {
        await using var db = await Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.CreditLedgerEntries.CountAsync(e => e.WorkspaceId == workspaceId && e.Environment == environment &&
            e.Type == Datakeen.Portal.Credits.LedgerEntryType.Consume);
    }

    public static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.TryGetProperty("code", out var code) ? code.GetString() : null;
    }
}
