using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.IntegrationTests.Credits;

// The portal host of the credit API tests, with rate limits out of the way; every test creates its own workspace.
public sealed class CreditPortalFixture : PortalHost
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["ApiKeys:FailedAttemptsPerMinute"] = "10000",
        ["ApiKeys:RequestsPerMinutePerKey"] = "10000",
    };

    public Task<TestWorkspace> CreateWorkspaceAsync() => TestWorkspaces.CreateAsync(Portal);

    public static HttpRequestMessage Consume(string? idempotencyKey, string? json = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume");
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(ConsumeRequestReader.IdempotencyKeyHeader, idempotencyKey);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return request;
    }

    public static HttpRequestMessage Consume(int amount, string? idempotencyKey = null) =>
        Consume(idempotencyKey ?? Guid.NewGuid().ToString(), $$"""{"amount":{{amount}}}""");

    public async Task<long> BalanceAsync(Guid workspaceId, KeyEnvironment environment)
    {
        await using var db = await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.CreditAccounts.Where(a => a.WorkspaceId == workspaceId && a.Environment == environment)
            .Select(a => a.Balance).SingleAsync();
    }

    public async Task<List<CreditLedgerEntry>> EntriesAsync(Guid workspaceId, KeyEnvironment environment)
    {
        await using var db = await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.CreditLedgerEntries.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId && e.Environment == environment).ToListAsync();
    }

    public async Task AssertBalanceMatchesLedgerAsync(Guid workspaceId, KeyEnvironment environment) =>
        Assert.Equal((await EntriesAsync(workspaceId, environment)).Sum(e => e.Amount), await BalanceAsync(workspaceId, environment));

    public static async Task<string?> CodeOfAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.TryGetProperty("code", out var code) ? code.GetString() : null;
    }
}
