using System.Net.Http.Headers;
using System.Text;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Credits;

// Secrets never leak (docs/architecture.md), for the credit endpoints: whatever the outcome, no key plaintext in logs, stored answers or responses.
public sealed class CreditKeyLeakTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task No_key_plaintext_appears_in_logs_stored_answers_or_responses_of_the_credit_endpoints()
    {
        var logs = new CapturedLogs();
        var bodies = new List<string>();
        await using var portal = new PortalFactory(database.ConnectionString) { LogCapture = logs };
        var workspace = await TestWorkspaces.CreateAsync(portal);
        using var client = portal.CreateClient();

        foreach (var key in workspace.Keys.Select(k => k.Plaintext))
        {
            bodies.Add(await SendAsync(client, key, HttpMethod.Get, "/api/v1/credits", null, null));
            foreach (var (idempotencyKey, json) in new (string?, string?)[]
            {
                ("a", """{"amount":1}"""), ("a", """{"amount":1}"""), ("a", """{"amount":2}"""),
                ("b", """{"amount":100}"""), (null, """{"amount":1}"""), ("c", """{"amount":0}"""), ("d", "{"),
                (key, """{"amount":1}"""), ("e", $$"""{"reference":"{{key}}"}"""),
            })
            {
                bodies.Add(await SendAsync(client, key, HttpMethod.Post, "/api/v1/credits/consume", idempotencyKey, json));
            }
        }

        await using var db = await portal.Services.GetRequiredService<IDbContextFactory<Data.PortalDbContext>>().CreateDbContextAsync();
        var stored = await db.IdempotencyRecords.Where(r => r.WorkspaceId == workspace.Id).Select(r => r.RequestId).ToListAsync();
        Assert.NotEmpty(stored);
        // The scan is worth something only if the host's logs were captured, requests to these endpoints included.
        Assert.Contains(logs.Entries, e => e.Contains("/api/v1/credits/consume", StringComparison.Ordinal));
        Assert.DoesNotContain(bodies.Concat(stored).Concat(logs.Entries), text => text is not null && KeyPatterns.AnyKey.IsMatch(text));
    }

    private static async Task<string> SendAsync(HttpClient client, string key, HttpMethod method, string path, string? idempotencyKey,
        string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation(ConsumeRequestReader.IdempotencyKeyHeader, idempotencyKey);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return $"{(int)response.StatusCode} {response.Headers} {await response.Content.ReadAsStringAsync()}";
    }
}
