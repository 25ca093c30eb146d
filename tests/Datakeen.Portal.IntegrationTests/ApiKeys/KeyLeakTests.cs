using System.Net.Http.Headers;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.ApiKeys;

// Secrets never leak (docs/architecture.md): no key plaintext in logs, exceptions or audit events. Runs every key operation with full
// logging captured, then scans everything for the key pattern.
public sealed class KeyLeakTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task No_key_plaintext_appears_in_logs_audit_rows_or_error_responses()
    {
        var logs = new CapturedLogs();
        var bodies = new List<string>();
        var plaintexts = new List<string>();
        var exports = new List<string>();
        await using (var portal = new PortalFactory(database.ConnectionString,
            new Dictionary<string, string?> { ["ApiKeys:FailedAttemptsPerMinute"] = "5" }) { LogCapture = logs })
        {
            var workspace = await TestWorkspaces.CreateAsync(portal);
            var member = await TestWorkspaces.AddMemberAsync(portal.Services, workspace.Id);
            var manager = portal.Services.GetRequiredService<IApiKeyManager>();
            plaintexts.AddRange(workspace.Keys.Select(k => k.Plaintext));
            using var client = portal.CreateClient();

            foreach (var key in workspace.Keys)
            {
                bodies.Add(await GetAsync(client, "/api/v1/whoami", key.Plaintext));
                bodies.Add(await GetAsync(client, "/api/v1/credits", key.Plaintext));
                foreach (var purpose in new[] { KeyAccessPurpose.Reveal, KeyAccessPurpose.Copy })
                {
                    _ = await manager.GetPlaintextAsync(workspace.Id, key.Id, purpose, member);
                    _ = await manager.GetPlaintextAsync(workspace.Id, key.Id, purpose, workspace.Admin);
                }

                _ = await manager.RotateAsync(workspace.Id, key.Id, null, member);
                var rotation = await manager.RotateAsync(workspace.Id, key.Id, TimeSpan.FromHours(1), workspace.Admin);
                plaintexts.Add(rotation.NewPlaintext!);
                _ = await manager.RotateAsync(workspace.Id, key.Id, null, workspace.Admin);
                bodies.Add(await GetAsync(client, "/api/v1/whoami", rotation.NewPlaintext!));

                // A near miss (wrong check) also matches the pattern: it must not be echoed or logged either.
                var tampered = key.Plaintext[..^1] + (key.Plaintext[^1] == 'x' ? 'y' : 'x');
                bodies.Add(await GetAsync(client, "/api/v1/whoami", tampered));
            }

            for (var i = 0; i < 10; i++)
            {
                bodies.Add(await GetAsync(client, "/api/v1/whoami", KeyFormat.Generate(KeyEnvironment.Production, KeyKind.Secret)));
            }

            // The key activity (docs/key-activity.md): its rows and the admins' CSV export.
            await portal.Services.GetRequiredService<KeyActivityWriter>().FlushAsync(CancellationToken.None);
            foreach (var key in workspace.Keys)
            {
                exports.Add(await portal.Services.GetRequiredService<KeyActivityQueries>().ExportCsvAsync(workspace.Id, key.Id, workspace.Admin) ?? "");
            }
        }

        Assert.NotEmpty(logs.Entries);
        Assert.Contains(bodies, b => b.Contains("rate_limited"));
        Assert.All(logs.Entries, entry => Assert.DoesNotMatch(KeyPatterns.AnyKey, entry));
        Assert.All(bodies, body => Assert.DoesNotMatch(KeyPatterns.AnyKey, body));

        await using var db = database.CreateDbContext();
        var auditTexts = await db.AuditEvents.AsNoTracking()
            .Select(e => e.Action + " " + e.Target + " " + e.Details + " " + e.ActorDescription + " " + e.UserAgent + " " + e.IpAddress)
            .ToListAsync();
        Assert.NotEmpty(auditTexts);
        Assert.All(auditTexts, text => Assert.DoesNotMatch(KeyPatterns.AnyKey, text));
        var activityTexts = await db.KeyActivity.AsNoTracking()
            .Select(a => a.Route + " " + a.Outcome + " " + a.ClientAddress + " " + a.UserAgent + " " + a.RequestId + " " + a.Origin)
            .ToListAsync();
        Assert.NotEmpty(activityTexts);
        Assert.Contains(exports, e => e.Contains("GET /api/v1/whoami", StringComparison.Ordinal));
        Assert.All(activityTexts.Concat(exports), text => Assert.DoesNotMatch(KeyPatterns.AnyKey, text));
        foreach (var plaintext in plaintexts)
        {
            Assert.All(logs.Entries, entry => Assert.DoesNotContain(plaintext[11..], entry));
        }
    }

    [Fact]
    public void Results_and_issued_keys_do_not_print_their_plaintext()
    {
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);

        Assert.DoesNotMatch(KeyPatterns.AnyKey, KeyAccessResult.Ok(key).ToString());
        Assert.DoesNotMatch(KeyPatterns.AnyKey, new KeyRotationResult(KeyRotationOutcome.Rotated, null, key, null).ToString());
        Assert.DoesNotMatch(KeyPatterns.AnyKey, new IssuedKey(new ApiKey { Digest = [], Prefix = "", LastFour = "" }, key).ToString());
    }

    private static async Task<string> GetAsync(HttpClient client, string path, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.SendAsync(request);
        return $"{(int)response.StatusCode} {response.Headers} {await response.Content.ReadAsStringAsync()}";
    }
}
