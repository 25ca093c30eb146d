using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Headers;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Credits;

public sealed class FailedConsumptionTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task A_debit_that_fails_releases_its_idempotency_key_so_a_retry_can_proceed()
    {
        await using var healthy = new PortalFactory(database.ConnectionString);
        var workspace = await TestWorkspaces.CreateAsync(healthy);
        // The same portal, except that the ledger's database connection is unreachable: the claim succeeds,
        // then the debit throws.
        await using var unreachable = NpgsqlDataSource.Create("Host=127.0.0.1;Port=1;Username=postgres;Timeout=1");
        await using var broken = healthy.WithWebHostBuilder(host => host.ConfigureTestServices(services =>
            services.AddSingleton(sp => new CreditLedger(
                sp.GetRequiredService<IDbContextFactory<PortalDbContext>>(),
                unreachable,
                sp.GetRequiredService<AuditLog>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<CoalescedNotifier>(),
                sp.GetRequiredService<CreditBalanceCache>(),
                sp.GetRequiredService<IMeterFactory>()))));

        using var failed = await ConsumeAsync(broken.CreateClient(), workspace.TestSecretKey, "retry-me");
        await using (var db = await healthy.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync())
        {
            Assert.False(await db.IdempotencyRecords.AnyAsync(r => r.WorkspaceId == workspace.Id));
        }

        using var retried = await ConsumeAsync(healthy.CreateClient(), workspace.TestSecretKey, "retry-me");

        // A database failure is a retryable 503 problem, never a bare 500.
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Equal("application/problem+json", failed.Content.Headers.ContentType?.MediaType);
        Assert.Contains("\"service_unavailable\"", await failed.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.False(retried.Headers.Contains(CreditEndpoints.ReplayedHeader));
        var key = await healthy.Services.GetRequiredService<ApiKeyVerifier>().VerifyAsync(workspace.TestSecretKey);
        var summary = await healthy.Services.GetRequiredService<ICreditQueries>().GetSummaryAsync(key!);
        Assert.Equal(19, summary.Balance);
    }

    private static async Task<HttpResponseMessage> ConsumeAsync(HttpClient client, string key, string idempotencyKey)
    {
        using (client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            request.Headers.Add(ConsumeRequestReader.IdempotencyKeyHeader, idempotencyKey);
            return await client.SendAsync(request);
        }
    }
}
