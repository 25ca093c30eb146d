using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.ApiKeys;

public sealed class ApiRateLimitTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task After_20_failed_key_attempts_in_a_minute_the_client_gets_429_until_the_window_ends()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        using var client = portal.CreateClient();

        for (var i = 0; i < 20; i++)
        {
            using var failed = await SendAsync(client, KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret));
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var limited = await SendAsync(client, workspace.TestSecretKey);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal("rate_limited", (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        time.Advance(TimeSpan.FromMinutes(1));

        using var allowed = await SendAsync(client, workspace.TestSecretKey);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
    }

    [Fact]
    public async Task A_key_over_its_request_limit_gets_429_with_retry_after()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time,
            new Dictionary<string, string?> { ["ApiKeys:RequestsPerMinutePerKey"] = "5" });
        var workspace = await TestWorkspaces.CreateAsync(portal);
        using var client = portal.CreateClient();

        for (var i = 0; i < 5; i++)
        {
            using var ok = await SendAsync(client, workspace.TestPublicKey);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var limited = await SendAsync(client, workspace.TestPublicKey);
        using var otherKey = await SendAsync(client, workspace.TestSecretKey);
        time.Advance(TimeSpan.FromMinutes(1));
        using var nextWindow = await SendAsync(client, workspace.TestPublicKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.NotNull(limited.Headers.RetryAfter?.Delta);
        Assert.Equal(HttpStatusCode.OK, otherKey.StatusCode);
        Assert.Equal(HttpStatusCode.OK, nextWindow.StatusCode);
    }

    [Fact]
    public async Task Last_used_is_written_in_batches_not_on_every_request()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        using var client = portal.CreateClient();
        for (var i = 0; i < 20; i++)
        {
            using var response = await SendAsync(client, workspace.LiveSecretKey);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var keyId = workspace.Key(KeyEnvironment.Production, KeyKind.Secret).Id;
        Assert.Null(await LastUsedAsync(keyId));
        // The requests above were made at this instant of the fake clock: that is the value to be written.
        var usedAt = time.GetUtcNow();

        time.Advance(TimeSpan.FromMinutes(1));

        DateTimeOffset? lastUsed = null;
        for (var attempt = 0; attempt < 50 && lastUsed is null; attempt++)
        {
            await Task.Delay(100);
            lastUsed = await LastUsedAsync(keyId);
        }

        Assert.Equal(Stored(usedAt), lastUsed);
        Assert.Null(await LastUsedAsync(workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id));
    }

    [Fact]
    public async Task Pending_usage_is_flushed_when_the_host_stops_and_never_moves_last_used_back()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        TestWorkspace workspace;
        DateTimeOffset usedAt;
        var later = Stored(time.GetUtcNow().AddHours(1));
        await using (var portal = new FakeTimePortal(database.ConnectionString, time))
        {
            workspace = await TestWorkspaces.CreateAsync(portal);
            using var client = portal.CreateClient();
            usedAt = time.GetUtcNow();
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, workspace.LiveSecretKey)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, workspace.TestSecretKey)).StatusCode);

            // Another instance already wrote a later use of the test key.
            await using var db = database.CreateDbContext();
            var testKey = workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id;
            await db.ApiKeys.Where(k => k.Id == testKey).ExecuteUpdateAsync(k => k.SetProperty(x => x.LastUsedAt, later));
            Assert.Null(await LastUsedAsync(workspace.Key(KeyEnvironment.Production, KeyKind.Secret).Id));
        }

        // No tick of the flush interval happened: the final flush on shutdown wrote the pending usage.
        Assert.Equal(Stored(usedAt), await LastUsedAsync(workspace.Key(KeyEnvironment.Production, KeyKind.Secret).Id));
        Assert.Equal(later, await LastUsedAsync(workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id));
    }

    // PostgreSQL keeps microseconds.
    private static DateTimeOffset Stored(DateTimeOffset value) => new(value.UtcTicks - value.UtcTicks % 10, TimeSpan.Zero);

    private async Task<DateTimeOffset?> LastUsedAsync(Guid keyId)
    {
        await using var db = database.CreateDbContext();
        return await db.ApiKeys.AsNoTracking().Where(k => k.Id == keyId).Select(k => k.LastUsedAt).SingleAsync();
    }

    private static Task<HttpResponseMessage> SendAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client.SendAsync(request);
    }
}
