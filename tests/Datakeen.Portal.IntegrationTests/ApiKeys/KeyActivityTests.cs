using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Datakeen.Portal.IntegrationTests.ApiKeys;

// Key activity (docs/key-activity.md): what admission records, the allowed websites of public keys, "Revoke old key
// now" and the grace period that waits for the new key's first use.
public sealed class KeyActivityTests(KeyActivityTests.Host host) : IClassFixture<KeyActivityTests.Host>
{
    [Fact]
    public async Task A_call_with_a_key_is_recorded_with_route_outcome_address_user_agent_and_request_id_but_never_the_key()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        using var client = host.ClientWith(key.Plaintext);
        // A careless client that puts its key into its user agent and query: neither is stored.
        client.DefaultRequestHeaders.UserAgent.ParseAdd($"activity-test/1.0 ({key.Plaintext})");
        using var response = await client.GetAsync($"/api/v1/whoami?key={key.Plaintext}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var requestId = response.Headers.GetValues("Request-Id").Single();

        await FlushAsync();
        var view = await host.Service<KeyActivityQueries>().GetAsync(workspace.Id, key.Id, workspace.Admin);

        var row = Assert.Single(view!.Recent);
        Assert.Equal("GET /api/v1/whoami", row.Route);
        Assert.Equal(ActivityOutcomes.Ok, row.Outcome);
        Assert.Equal(requestId, row.RequestId);
        Assert.StartsWith("activity-test/1.0 (", row.UserAgent);
        Assert.DoesNotContain(key.Plaintext, row.UserAgent);
        Assert.False(string.IsNullOrEmpty(row.ClientAddress));
        var client1 = Assert.Single(view.Clients);
        Assert.Equal((row.ClientAddress, row.UserAgent, 1L), (client1.ClientAddress, client1.UserAgent, client1.Requests));
        await using var db = host.CreateDbContext();
        var stored = await db.KeyActivity.AsNoTracking().Where(a => a.WorkspaceId == workspace.Id).ToListAsync();
        Assert.DoesNotContain(stored, a => JsonSerializer.Serialize(a).Contains(key.Plaintext[11..], StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_member_sees_the_activity_an_outsider_sees_nothing_and_only_an_admin_exports_the_csv()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Public);
        var member = await TestWorkspaces.AddMemberAsync(host.Portal.Services, workspace.Id);
        var outsider = await TestWorkspaces.CreateOutsiderAsync(host.Portal.Services);
        using var client = host.ClientWith(key.Plaintext);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("csv-test/2.0");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/whoami")).StatusCode);
        }

        await FlushAsync();
        var queries = host.Service<KeyActivityQueries>();

        // Three identical calls within one flush: one row that counts them.
        var row = Assert.Single((await queries.GetAsync(workspace.Id, key.Id, member))!.Recent);
        Assert.Equal(3, row.Requests);
        Assert.Null(await queries.GetAsync(workspace.Id, key.Id, outsider));
        Assert.Empty((await queries.GetAsync(workspace.Id, key.Id, member, ActivityOutcomes.OriginNotAllowed))!.Recent);
        Assert.Null(await queries.ExportCsvAsync(workspace.Id, key.Id, member));
        var csv = await queries.ExportCsvAsync(workspace.Id, key.Id, workspace.Admin);
        var lines = csv!.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("time,route,outcome,client_address,user_agent,request_id,origin,requests", lines[0]);
        Assert.Equal(2, lines.Length);
        Assert.Contains(",GET /api/v1/whoami,ok,", lines[1]);
        Assert.EndsWith(",3", lines[1]);
        Assert.DoesNotContain(key.Plaintext, csv);
        await using var db = host.CreateDbContext();
        Assert.True(await db.AuditEvents.AnyAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyActivityExported));
    }

    [Fact]
    public async Task Identical_calls_are_one_row_with_their_count_and_other_user_agents_are_rows_of_their_own()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        using var worker = host.ClientWith(key.Plaintext);
        worker.DefaultRequestHeaders.UserAgent.ParseAdd("coalesce-worker/1.0");
        using var cron = host.ClientWith(key.Plaintext);
        cron.DefaultRequestHeaders.UserAgent.ParseAdd("coalesce-cron/2.0");
        string? newest = null;
        for (var i = 0; i < 5; i++)
        {
            using var response = await worker.GetAsync("/api/v1/whoami");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            newest = response.Headers.GetValues("Request-Id").Single();
        }

        Assert.Equal(HttpStatusCode.OK, (await cron.GetAsync("/api/v1/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await cron.GetAsync("/api/v1/whoami")).StatusCode);
        await FlushAsync();

        await using (var db = host.CreateDbContext())
        {
            var stored = await db.KeyActivity.AsNoTracking().Where(a => a.KeyId == key.Id).OrderBy(a => a.UserAgent).ToListAsync();
            Assert.Equal([("coalesce-cron/2.0", 2), ("coalesce-worker/1.0", 5)], stored.Select(a => (a.UserAgent, a.Requests)));
            Assert.Equal(newest, stored[1].RequestId);
        }

        // The next flush's calls of the same client are a new row; the panel's clients sum the rows.
        Assert.Equal(HttpStatusCode.OK, (await worker.GetAsync("/api/v1/whoami")).StatusCode);
        await FlushAsync();
        var view = (await host.Service<KeyActivityQueries>().GetAsync(workspace.Id, key.Id, workspace.Admin))!;
        Assert.Equal([1, 2, 5], view.Recent.Select(r => r.Requests).Order());
        Assert.Equal(1, view.Recent[0].Requests);
        Assert.Equal(6, view.Clients.Single(c => c.UserAgent == "coalesce-worker/1.0").Requests);
        Assert.Equal(2, view.Clients.Single(c => c.UserAgent == "coalesce-cron/2.0").Requests);
    }

    [Fact]
    public async Task Parallel_calls_while_the_writer_flushes_are_each_counted_exactly_once_in_postgresql()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        const int Clients = 8, CallsEach = 25;
        using var flushing = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!flushing.IsCancellationRequested)
            {
                await FlushAsync();
            }
        });

        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async c =>
        {
            using var client = host.ClientWith(key.Plaintext);
            client.DefaultRequestHeaders.UserAgent.ParseAdd($"parallel/{c % 2}");
            for (var i = 0; i < CallsEach; i++)
            {
                using var response = await client.GetAsync("/api/v1/whoami");
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }));
        await flushing.CancelAsync();
        await writer;
        await FlushAsync();

        await using var db = host.CreateDbContext();
        var rows = await db.KeyActivity.AsNoTracking().Where(a => a.KeyId == key.Id).ToListAsync();
        Assert.Equal(Clients * CallsEach, rows.Sum(a => a.Requests));
        Assert.Equal(Clients * CallsEach / 2, rows.Where(a => a.UserAgent == "parallel/0").Sum(a => a.Requests));
        Assert.All(rows, a => Assert.InRange(a.Requests, 1, Clients * CallsEach / 2));
    }

    [Fact]
    public async Task Retention_deletes_activity_older_than_seven_days()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var keyId = workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id;
        var now = DateTimeOffset.UtcNow;
        await using (var db = host.CreateDbContext())
        {
            db.KeyActivity.AddRange(
                new KeyActivity { KeyId = keyId, WorkspaceId = workspace.Id, At = now.AddDays(-7).AddMinutes(-1), Route = "old", Outcome = "ok", ClientAddress = "a" },
                new KeyActivity { KeyId = keyId, WorkspaceId = workspace.Id, At = now.AddDays(-6), Route = "kept", Outcome = "ok", ClientAddress = "a" });
            await db.SaveChangesAsync();
        }

        await host.Portal.Services.GetServices<IHostedService>().OfType<KeyActivityRetentionJob>().Single().PurgeAsync(default);

        await using var check = host.CreateDbContext();
        Assert.Equal(["kept"], await check.KeyActivity.Where(a => a.KeyId == keyId).Select(a => a.Route).ToListAsync());
    }

    [Fact]
    public async Task A_public_key_with_allowed_websites_refuses_other_origins_with_403_and_names_only_listed_ones_in_cors()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Public);
        using var client = host.ClientWith(key.Plaintext);
        // Before a list: any website, and no CORS answer (today's behaviour).
        using (var any = await GetWithOriginAsync(client, "https://anywhere.example.net"))
        {
            Assert.Equal(HttpStatusCode.OK, any.StatusCode);
            Assert.False(any.Headers.Contains("Access-Control-Allow-Origin"));
        }

        var saved = await host.Service<KeyAllowedOrigins>().SaveAsync(workspace.Id, key.Id,
            ["https://App.Example.com/", "https://*.shop.example.com", "http://localhost:*"], workspace.Admin);
        Assert.Equal(AllowedOriginsOutcome.Saved, saved.Outcome);
        Assert.Equal(["https://app.example.com", "https://*.shop.example.com", "http://localhost:*"], saved.Origins);

        using (var refused = await GetWithOriginAsync(client, "https://evil.example.net"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            Assert.Equal("origin_not_allowed", problem.RootElement.GetProperty("code").GetString());
            Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
        }

        foreach (var allowed in new[] { "https://app.example.com", "https://eu.shop.example.com", "http://localhost:5173" })
        {
            using var ok = await GetWithOriginAsync(client, allowed);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(allowed, ok.Headers.GetValues("Access-Control-Allow-Origin").Single());
        }

        foreach (var other in new[] { "https://shop.example.com", "http://app.example.com", "null" })
        {
            using var no = await GetWithOriginAsync(client, other);
            Assert.Equal(HttpStatusCode.Forbidden, no.StatusCode);
        }

        // A server-side call (no Origin header) is not a website.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/whoami")).StatusCode);
        await FlushAsync();
        var refusals = await host.Service<KeyActivityQueries>().GetAsync(workspace.Id, key.Id, workspace.Admin, ActivityOutcomes.OriginNotAllowed);
        Assert.Equal(4, refusals!.Recent.Count);
        Assert.Contains(refusals.Recent, r => r.Origin == "https://evil.example.net");
    }

    [Fact]
    public async Task Allowed_websites_are_for_admins_and_refuse_what_is_not_an_origin()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Public);
        var member = await TestWorkspaces.AddMemberAsync(host.Portal.Services, workspace.Id);
        var origins = host.Service<KeyAllowedOrigins>();

        Assert.Equal(AllowedOriginsOutcome.Forbidden, (await origins.SaveAsync(workspace.Id, key.Id, ["https://a.example.com"], member)).Outcome);
        foreach (var bad in new[] { "app.example.com", "https://a.example.com/path", "ftp://a.example.com", "https://*.com", "https://a*.example.com", "" })
        {
            Assert.Equal(AllowedOriginsOutcome.Invalid, (await origins.SaveAsync(workspace.Id, key.Id, [bad], workspace.Admin)).Outcome);
        }

        Assert.Equal(AllowedOriginsOutcome.NotFound,
            (await origins.SaveAsync(workspace.Id, workspace.Key(KeyEnvironment.Test, KeyKind.Secret).Id, ["https://a.example.com"], workspace.Admin)).Outcome);
        await using var db = host.CreateDbContext();
        Assert.Empty((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == key.Id)).AllowedOrigins);
    }

    [Fact]
    public async Task Revoke_old_key_now_refuses_the_old_key_at_once_on_this_instance_and_on_another()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var old = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        // B's cache would keep the key for an hour: only the change notification can make B refuse it.
        await using var portalB = new PortalFactory(host.ConnectionString, new Dictionary<string, string?> { ["ApiKeys:CacheTtl"] = "01:00:00" });
        using var clientA = host.ClientWith(old.Plaintext);
        using var clientB = portalB.CreateClient();
        clientB.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", old.Plaintext);
        var rotation = await host.Service<IApiKeyManager>().RotateAsync(workspace.Id, old.Id, TimeSpan.FromHours(1), workspace.Admin);
        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
        Assert.Equal(HttpStatusCode.OK, (await clientA.GetAsync("/api/v1/whoami")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clientB.GetAsync("/api/v1/whoami")).StatusCode);
        await KeyRotationTests.WaitUntilListeningAsync(host, portalB);
        var member = await TestWorkspaces.AddMemberAsync(host.Portal.Services, workspace.Id);
        var rotations = host.Service<KeyRotation>();

        Assert.Equal(KeyRotationOutcome.Forbidden, (await rotations.EndGraceAsync(workspace.Id, old.Id, member)).Outcome);
        var ended = await rotations.EndGraceAsync(workspace.Id, old.Id, workspace.Admin);

        Assert.Equal(KeyRotationOutcome.Rotated, ended.Outcome);
        await ApiKeyAuthenticationTests.AssertInvalidApiKeyAsync(await clientA.GetAsync("/api/v1/whoami"));
        var refusedAfter = System.Diagnostics.Stopwatch.StartNew();
        HttpStatusCode status;
        do
        {
            status = (await clientB.GetAsync("/api/v1/whoami")).StatusCode;
        }
        // Only the notification can answer here (B's cache outlives the bound, which only stops a hung test).
        while (status == HttpStatusCode.OK && refusedAfter.Elapsed < TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(KeyRotationOutcome.Stale, (await rotations.EndGraceAsync(workspace.Id, old.Id, workspace.Admin)).Outcome);
        await using var db = host.CreateDbContext();
        var audit = await db.AuditEvents.AsNoTracking().Where(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyGraceEnded).ToListAsync();
        Assert.Single(audit, e => e.Succeeded && e.Target!.StartsWith(old.Id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_first_use_grace_starts_its_clock_at_the_new_keys_first_request()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var old = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        var rotation = await host.Service<IApiKeyManager>().RotateAsync(workspace.Id, old.Id, KeyCapabilities.UntilNewKeyFirstUsed, workspace.Admin);
        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
        await using (var db = host.CreateDbContext())
        {
            var waiting = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == old.Id);
            Assert.True(waiting.GraceAwaitsFirstUse);
            Assert.Equal(TimeSpan.FromDays(7), waiting.ExpiresAt - waiting.RevokedAt);
        }

        // The old key's own calls do not start the clock; nor does a flush without the new key.
        using var oldClient = host.ClientWith(old.Plaintext);
        Assert.Equal(HttpStatusCode.OK, (await oldClient.GetAsync("/api/v1/whoami")).StatusCode);
        await FlushAsync();
        await using (var db = host.CreateDbContext())
        {
            Assert.True((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == old.Id)).GraceAwaitsFirstUse);
        }

        using var newClient = host.ClientWith(rotation.NewPlaintext!);
        var before = DateTimeOffset.UtcNow;
        Assert.Equal(HttpStatusCode.OK, (await newClient.GetAsync("/api/v1/whoami")).StatusCode);
        var after = DateTimeOffset.UtcNow;
        await FlushAsync();

        await using var check = host.CreateDbContext();
        var started = await check.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == old.Id);
        Assert.False(started.GraceAwaitsFirstUse);
        Assert.InRange(started.ExpiresAt!.Value, before.AddHours(1).AddSeconds(-1), after.AddHours(1).AddSeconds(1));
        // Still inside its hour: the old key works.
        Assert.Equal(HttpStatusCode.OK, (await oldClient.GetAsync("/api/v1/whoami")).StatusCode);
    }

    [Fact]
    public async Task Admins_are_mailed_once_an_hour_before_a_grace_period_ends_while_the_old_key_is_still_used()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var used = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        var idle = workspace.Key(KeyEnvironment.Test, KeyKind.Public);
        var manager = host.Service<IApiKeyManager>();
        Assert.Equal(KeyRotationOutcome.Rotated, (await manager.RotateAsync(workspace.Id, used.Id, TimeSpan.FromHours(1), workspace.Admin)).Outcome);
        Assert.Equal(KeyRotationOutcome.Rotated, (await manager.RotateAsync(workspace.Id, idle.Id, TimeSpan.FromHours(1), workspace.Admin)).Outcome);
        using var client = host.ClientWith(used.Plaintext);
        client.DefaultRequestHeaders.UserAgent.ParseAdd("legacy-worker/0.9");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/whoami")).StatusCode);
        }

        await FlushAsync();
        // The drain view and the mail count the requests, not the (coalesced) rows.
        var drain = (await host.Service<KeyActivityQueries>().GetDrainAsync(workspace.Id, used.Id, workspace.Admin))!;
        Assert.Equal((3L, 3L, 3L), (drain.LastHour, drain.SinceRotation, Assert.Single(drain.Clients).Requests));
        var notices = host.Service<GraceEndingNotices>();

        await notices.SendDueAsync(CancellationToken.None);
        await notices.SendDueAsync(CancellationToken.None);

        await using var db = host.CreateDbContext();
        var mails = await db.OutboxEmails.AsNoTracking()
            .Where(m => m.WorkspaceId == workspace.Id && m.Subject.Contains("stops working within the hour")).ToListAsync();
        var mail = Assert.Single(mails);
        Assert.Contains("legacy-worker/0.9", mail.Body);
        Assert.Contains("still used 3 times", mail.Body);
        Assert.Contains(used.Plaintext[..11], mail.Body);
        Assert.DoesNotContain(used.Plaintext, mail.Body);
        Assert.NotNull((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == used.Id)).GraceEndingMailedAt);
        Assert.Null((await db.ApiKeys.AsNoTracking().SingleAsync(k => k.Id == idle.Id)).GraceEndingMailedAt);
    }

    private static async Task<HttpResponseMessage> GetWithOriginAsync(HttpClient client, string origin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        request.Headers.TryAddWithoutValidation("Origin", origin);
        return await client.SendAsync(request);
    }

    private Task FlushAsync() => host.Service<KeyActivityWriter>().FlushAsync(CancellationToken.None);

    public sealed class Host : PortalHost
    {
        // Only the tests' own FlushAsync writes (a periodic flush between two calls would split their coalesced row).
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>(KeyRotationTests.Host.Limits)
        {
            ["ApiKeys:ActivityFlushInterval"] = "00:10:00",
        };
    }
}
