using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.EndToEndTests.ApiDocs;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Cluster;

// Instances of `./run.sh --replicas 3` killed (SIGKILL) under a user and under API clients. Each test
// kills one instance that is still alive, so they pass in any order.
[Collection(ClusterFailoverCollection.Name)]
public sealed class ClusterFailoverTests(ClusterFailoverEnvironment environment, ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_the_instance_that_holds_a_tab_leaves_the_tab_working_on_another_without_signing_in_again()
    {
        var page = await environment.SignInAsync("admin@acme.test");
        var secretKey = new ApiDocsTabPage(page).Test.SecretKey;
        await secretKey.RevealAsync();
        var holder = environment.Cluster.Instance(await ClusterEnvironment.InstanceOfAsync(page));

        PortalCluster.Kill(holder);

        // The circuit died with its instance: the tab reconnects through nginx to another instance, which
        // does not know the circuit, so the reconnect notice says the page expired and offers Reload (what
        // the page held is not lost silently). Reloading lands on another instance, still signed in (one
        // Data Protection key ring), and the revealed secret, which could not be carried over, is masked.
        var notice = page.GetByRole(AriaRole.Dialog, new() { Name = "This page has expired" });
        await notice.GetByRole(AriaRole.Button, new() { Name = "Reload" }).ClickAsync(new() { Timeout = 60_000 });
        await Expect(secretKey.Value).ToContainTextAsync("••••", new() { Timeout = 60_000 });
        Assert.StartsWith(environment.Cluster.Entry.ToString().TrimEnd('/'), page.Url, StringComparison.Ordinal);
        var successor = await ClusterEnvironment.InstanceOfAsync(page);
        Assert.NotEqual(holder.Name, successor);

        await secretKey.RevealAsync();
        Assert.Equal(successor, await ClusterEnvironment.InstanceOfAsync(page));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Consumes_retried_across_a_killed_instance_debit_once_per_idempotency_key_and_the_ledger_equals_the_balance()
    {
        var workspace = await environment.CreateWorkspaceAsync();
        const long granted = 1_000;
        await environment.GrantAsync(workspace.Id, KeyEnvironment.Production, granted);
        var victim = environment.Cluster.LiveInstances.Last();
        var keys = Enumerable.Range(0, 90).Select(_ => Guid.NewGuid().ToString()).ToArray();
        var answers = new ConcurrentDictionary<string, long>();
        var retries = 0;
        var done = 0;
        using var http = environment.Cluster.CreateEntryClient();

        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 6 }, async (key, ct) =>
        {
            if (Interlocked.Increment(ref done) == 30)
            {
                PortalCluster.Kill(victim);
            }

            // A client that retries with the same Idempotency-Key until it gets an answer.
            for (var attempt = 0; ; attempt++)
            {
                Assert.True(attempt < 50, $"no answer for {key}");
                try
                {
                    using var response = await http.SendAsync(Consume(workspace.LiveSecretKey, key), ct);
                    if (response.StatusCode == HttpStatusCode.Created)
                    {
                        var body = await response.Content.ReadFromJsonAsync<ConsumeAnswer>(ct);
                        answers[key] = body!.Balance;
                        return;
                    }
                    Assert.Contains(response.StatusCode, new[] { HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout, HttpStatusCode.Conflict });
                }
                catch (HttpRequestException)
                {
                }
                Interlocked.Increment(ref retries);
                await Task.Delay(50, ct);
            }
        });

        output.WriteLine($"{keys.Length} consumes, {retries} retries, {victim.Name} killed after 30");
        Assert.False(victim.IsAlive);
        await using var db = TestPostgres.CreateDbContext(environment.ConnectionString);
        var entries = await db.CreditLedgerEntries.AsNoTracking()
            .Where(e => e.WorkspaceId == workspace.Id && e.Environment == KeyEnvironment.Production).ToListAsync();
        var account = await db.CreditAccounts.AsNoTracking()
            .SingleAsync(a => a.WorkspaceId == workspace.Id && a.Environment == KeyEnvironment.Production);
        var debits = entries.Where(e => e.Amount < 0).ToList();

        Assert.Equal(keys.Length, debits.Count);
        Assert.Equal(keys.Order(), debits.Select(e => e.IdempotencyKey!).Order());
        Assert.Equal(granted - keys.Length, account.Balance);
        Assert.Equal(account.Balance, entries.Sum(e => e.Amount));
        Assert.Equal(keys.Length, answers.Count);
    }

    private static HttpRequestMessage Consume(string key, string idempotencyKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume")
        {
            Content = JsonContent.Create(new { amount = 1, reference = "failover" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return request;
    }

    private sealed record ConsumeAnswer(long Balance);
}
