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
    public async Task After_20_failed_key_attempts_in_a_minute_the_client_gets_429_for_unknown_keys_until_the_window_ends()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time);
        using var client = portal.CreateClient();

        for (var i = 0; i < 20; i++)
        {
            using var failed = await SendAsync(client, KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret));
            Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        }

        using var limited = await SendAsync(client, KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal("rate_limited", (await limited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        time.Advance(TimeSpan.FromMinutes(1));

        using var nextWindow = await SendAsync(client, KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret));
        Assert.Equal(HttpStatusCode.Unauthorized, nextWindow.StatusCode);
    }

    [Fact]
    public async Task A_valid_key_is_answered_200_from_an_address_that_was_just_refused_for_guessing()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        using var client = portal.CreateClient();

        // The attack: a parallel burst of well-formed unknown keys from one address.
        var guesses = await Task.WhenAll(Enumerable.Range(0, 300).Select(async _ =>
        {
            using var response = await SendAsync(client, KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret));
            return response.StatusCode;
        }));
        Assert.Contains(HttpStatusCode.TooManyRequests, guesses);
        Assert.All(guesses, status => Assert.True(status is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests));

        using var refused = await SendAsync(client, KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret));
        using var valid = await SendAsync(client, workspace.TestSecretKey);
        using var validPublic = await SendAsync(client, workspace.LivePublicKey);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(HttpStatusCode.OK, validPublic.StatusCode);
    }

    [Fact]
    public async Task A_burst_of_one_unknown_well_formed_key_reaches_the_database_once()
    {
        var logs = new CapturedLogs();
        await using var portal = new PortalFactory(database.ConnectionString,
            new Dictionary<string, string?> { ["ApiKeys:FailedAttemptsPerMinute"] = "100000" }) { LogCapture = logs };
        using var client = portal.CreateClient();
        var unknown = KeyFormat.Generate(KeyEnvironment.Production, KeyKind.Secret);
        var other = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Public);

        var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var response = await SendAsync(client, i % 2 == 0 ? unknown : other);
            return response.StatusCode;
        }));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.Unauthorized, status));
        var keyLookups = logs.Entries.Count(e => e.Contains("Executed DbCommand", StringComparison.Ordinal) &&
                                                 e.Contains("FROM api_keys", StringComparison.Ordinal));
        Assert.Equal(2, keyLookups);
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
