using System.Net;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Data;
using Datakeen.Portal.IntegrationTests.ServiceApi;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Usage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.Usage;

public sealed class KeyUsageTests(ServiceApiFixture fixture) : IClassFixture<ServiceApiFixture>
{
    [Fact]
    public async Task Whoami_and_verify_requests_are_counted_per_key_and_utc_day_in_one_row_each()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(fixture.ConnectionString, time, ServiceApiFixture.Settings(fixture.Identity));
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var other = await TestWorkspaces.CreateAsync(portal);
        using var secret = ServiceApiFixture.ClientWith(portal, workspace.TestSecretKey);
        using var service = ServiceApiFixture.ClientWith(portal, fixture.GatewayToken);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);

        await CallsAsync(2, () => secret.GetAsync("/api/v1/whoami"));
        await CallsAsync(1, () => ServiceApiFixture.VerifyAsync(service, workspace.TestSecretKey));
        await FlushAsync(portal);
        await CallsAsync(2, () => secret.GetAsync("/api/v1/whoami"));
        await FlushAsync(portal);
        // The next UTC day (tokens may have expired by then: customer keys only).
        time.SetUtcNow(new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddMinutes(1));
        await CallsAsync(3, () => secret.GetAsync("/api/v1/whoami"));
        using var publicKey = ServiceApiFixture.ClientWith(portal, workspace.TestPublicKey);
        await CallsAsync(1, () => publicKey.GetAsync("/api/v1/whoami"));
        using var outsider = ServiceApiFixture.ClientWith(portal, other.LiveSecretKey);
        await CallsAsync(1, () => outsider.GetAsync("/api/v1/whoami"));
        await FlushAsync(portal);

        // Read as the admin signed in now (on the next day): the session the workspace was created with may have
        // expired by then, depending on the hour the test runs at.
        var admin = await TestActors.SessionForAsync(portal.Services, workspace.Admin.UserId);
        var usage = await portal.Services.GetRequiredService<IKeyUsageQueries>().GetLastDaysAsync(workspace.Id, admin);

        var secretUsage = usage[workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id];
        Assert.Equal(today.AddDays(1), secretUsage.LastDay);
        Assert.Equal(30, secretUsage.Requests.Count);
        Assert.Equal(5, secretUsage.Requests[^2]);
        Assert.Equal(3, secretUsage.Requests[^1]);
        Assert.Equal(8, secretUsage.Total);
        Assert.Equal(1, usage[workspace.Key(KeyEnvironment.Test, KeyKind.Public).Id].Total);
        Assert.Equal(2, usage.Count);
        await using var db = portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        Assert.Equal(2, await db.KeyUsageDays.CountAsync(u => u.KeyId == workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id));
        Assert.Empty(await portal.Services.GetRequiredService<IKeyUsageQueries>().GetLastDaysAsync(workspace.Id, other.Admin));
    }

    [Fact]
    public async Task Refused_keys_count_nothing()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        using var service = fixture.ClientWith(fixture.GatewayToken);
        using var wrong = fixture.ClientWith(KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret));

        await CallsAsync(1, () => ServiceApiFixture.VerifyAsync(service, KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret)));
        using (var refused = await wrong.GetAsync("/api/v1/whoami"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }
        await FlushAsync(fixture.Portal);

        Assert.Empty(await fixture.Portal.Services.GetRequiredService<IKeyUsageQueries>().GetLastDaysAsync(workspace.Id, workspace.Admin));
    }

    [Fact]
    public async Task Retention_deletes_days_older_than_90_days()
    {
        var workspace = await fixture.CreateWorkspaceAsync();
        var keyId = workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        await using (var db = fixture.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext())
        {
            db.KeyUsageDays.AddRange(
                new KeyUsageDay { KeyId = keyId, WorkspaceId = workspace.Id, Day = today.AddDays(-91), Requests = 7 },
                new KeyUsageDay { KeyId = keyId, WorkspaceId = workspace.Id, Day = today.AddDays(-89), Requests = 5 });
            await db.SaveChangesAsync();
        }

        await fixture.Portal.Services.GetServices<IHostedService>().OfType<KeyUsageRetentionJob>().Single().PurgeAsync(default);

        await using var check = fixture.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContext();
        Assert.Equal([today.AddDays(-89)], await check.KeyUsageDays.Where(u => u.KeyId == keyId).Select(u => u.Day).ToListAsync());
    }

    private static async Task CallsAsync(int count, Func<Task<HttpResponseMessage>> call)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await call();
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    private static Task FlushAsync(PortalFactory portal) =>
        portal.Services.GetRequiredService<ApiKeyUsageFlusher>().FlushAsync(CancellationToken.None);
}
