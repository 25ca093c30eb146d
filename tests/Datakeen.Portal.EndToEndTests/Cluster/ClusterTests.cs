using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.EndToEndTests.ApiDocs;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Cluster;

// `./run.sh --replicas 3` on real processes: nginx in front, Redis, three portal instances, one database.
[Collection(ClusterCollection.Name)]
public sealed class ClusterTests(ClusterEnvironment environment, ITestOutputHelper output)
{
    private static readonly TimeSpan EventualBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Through_nginx_a_user_signs_in_stays_on_one_instance_and_a_rotation_there_is_refused_by_every_instance()
    {
        var page = await environment.SignInAsync("admin@acme.test");
        var secretKey = new ApiDocsTabPage(page).Test.SecretKey;
        var oldKey = await secretKey.RevealAsync();

        // Sticky: every page request of this browser reaches the instance that holds its circuit.
        var instanceA = await ClusterEnvironment.InstanceOfAsync(page);
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(instanceA, await ClusterEnvironment.InstanceOfAsync(page));
        }
        foreach (var instance in environment.Cluster.Instances)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(instance, oldKey));
        }

        await secretKey.OpenRotationAsync();
        var newKey = await secretKey.ConfirmRotationAsync();

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(environment.Cluster.Instance(instanceA), oldKey));
        foreach (var instance in environment.Cluster.Instances)
        {
            await RefusedEventuallyAsync(instance, oldKey);
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(instance, newKey));
        }

        // A consume through another instance moves the meter of the tab open on A.
        var meter = page.GetByRole(AriaRole.Progressbar, new() { Name = "Test credits remaining" });
        var before = int.Parse((await meter.GetAttributeAsync("aria-valuenow"))!, CultureInfo.InvariantCulture);
        var instanceB = environment.Cluster.Instances.First(i => i.Name != instanceA);
        using (var http = PortalCluster.ClientOf(instanceB))
        using (var consume = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume")
        {
            Content = JsonContent.Create(new { amount = 1, reference = "cross-instance" }),
        })
        {
            consume.Headers.Authorization = new AuthenticationHeaderValue("Bearer", newKey);
            consume.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await http.SendAsync(consume);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        await Expect(meter).ToHaveAttributeAsync("aria-valuenow", (before - 1).ToString(CultureInfo.InvariantCulture));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_per_key_limit_is_one_budget_across_the_three_instances()
    {
        var workspace = await environment.CreateWorkspaceAsync();
        var limit = ClusterEnvironment.RequestsPerMinutePerKey;
        using var http = environment.Cluster.CreateEntryClient();
        var statuses = new ConcurrentBag<HttpStatusCode>();
        var instances = new ConcurrentDictionary<string, int>();

        // Twice the limit, round-robin over three instances: per-instance budgets would let all of them through.
        await Parallel.ForAsync(0, 2 * limit, new ParallelOptions { MaxDegreeOfParallelism = 12 }, async (_, ct) =>
        {
            using var response = await http.SendAsync(ClusterEnvironment.WhoAmI(workspace.TestPublicKey), ct);
            statuses.Add(response.StatusCode);
            instances.AddOrUpdate(response.Headers.GetValues("X-Portal-Instance").Single(), 1, (_, n) => n + 1);
        });

        var accepted = statuses.Count(s => s == HttpStatusCode.OK);
        output.WriteLine($"accepted {accepted} of {statuses.Count} (limit {limit}); per instance: {string.Join(", ", instances.Select(i => $"{i.Key}={i.Value}"))}");
        Assert.Equal(ClusterEnvironment.Replicas, instances.Count);
        Assert.InRange(accepted, (int)(limit * 0.9), (int)(limit * 1.1));
        Assert.All(statuses, s => Assert.Contains(s, new[] { HttpStatusCode.OK, HttpStatusCode.TooManyRequests }));
    }

    [Fact]
    public async Task A_client_has_one_failure_budget_across_the_three_instances()
    {
        var client = ClusterEnvironment.NewClientAddress();
        var instances = environment.Cluster.Instances;
        var unknownKey = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);

        // The budget spread over the instances: each of them alone stays under the limit.
        for (var i = 0; i < ClusterEnvironment.FailedAttemptsPerMinute; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(instances[i % instances.Count], unknownKey, client));
        }

        foreach (var instance in instances)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, await StatusAsync(instance, unknownKey, client));
        }
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(instances[0], unknownKey, ClusterEnvironment.NewClientAddress()));
    }

    [Fact]
    public async Task Fifty_rotations_are_each_refused_by_every_instance_and_the_delays_are_reported()
    {
        var workspace = await environment.CreateWorkspaceAsync();
        var manager = environment.Services.GetRequiredService<IApiKeyManager>();
        var key = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        var (keyId, plaintext) = (key.Key.Id, key.Plaintext);
        var delays = new List<double>();

        for (var round = 0; round < 50; round++)
        {
            // Warm every instance's cache with the key first: the refusal must come from an invalidation.
            foreach (var instance in environment.Cluster.Instances)
            {
                Assert.Equal(HttpStatusCode.OK, await StatusAsync(instance, plaintext));
            }

            var rotation = await manager.RotateAsync(workspace.Id, keyId, null, workspace.Admin);
            var rotatedAt = Stopwatch.GetTimestamp();
            Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
            await Task.WhenAll(environment.Cluster.Instances.Select(i => RefusedEventuallyAsync(i, plaintext)));
            delays.Add(Stopwatch.GetElapsedTime(rotatedAt).TotalMilliseconds);
            (keyId, plaintext) = (rotation.NewKey!.Id, rotation.NewPlaintext!);
        }

        delays.Sort();
        // A figure for docs/benchmarks.md, not an assertion: from the commit of a rotation to the old key's
        // refusal by all three instances (each polled directly).
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rotation → refused by all {environment.Cluster.Instances.Count}: n={delays.Count} p50={Percentile(delays, 0.50):F1} ms p99={Percentile(delays, 0.99):F1} ms max={delays[^1]:F1} ms"));
    }

    [Fact]
    public async Task The_portal_meters_move_on_every_instance_under_load_through_nginx()
    {
        var workspace = await environment.CreateWorkspaceAsync();
        var before = await ScrapeAsync();
        using var http = environment.Cluster.CreateEntryClient();
        const int consumes = 15;

        for (var i = 0; i < consumes; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume")
            {
                Content = JsonContent.Create(new { amount = 1, reference = $"meter-{i}" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workspace.TestSecretKey);
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            using var response = await http.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var after = await ScrapeAsync();
        foreach (var instance in environment.Cluster.Instances)
        {
            // Round-robin: every instance verified keys and debited credits.
            Assert.True(Sum(after[instance.Name], "datakeen_api_key_verifications_total", "datakeen_api_key_outcome=\"valid\"") >
                        Sum(before[instance.Name], "datakeen_api_key_verifications_total", "datakeen_api_key_outcome=\"valid\""), instance.Name);
            Assert.True(Sum(after[instance.Name], "datakeen_credits_consumed_total", "environment=\"Test\"") >
                        Sum(before[instance.Name], "datakeen_credits_consumed_total", "environment=\"Test\""), instance.Name);
        }
        Assert.Equal(consumes,
            environment.Cluster.Instances.Sum(i => Sum(after[i.Name], "datakeen_credits_consumed_total", "environment=\"Test\"")) -
            environment.Cluster.Instances.Sum(i => Sum(before[i.Name], "datakeen_credits_consumed_total", "environment=\"Test\"")));
        Assert.Contains(after.Values, text => Sum(text, "datakeen_api_key_verifier_cache_lookups_total", "datakeen_cache_result=\"miss\"") > 0);
        Assert.All(after.Values, text => Assert.Contains("datakeen_change_feed_lag_seconds_count", text, StringComparison.Ordinal));

        // The scrape endpoint is for the instances' own network, not the public entry.
        using var publicScrape = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, publicScrape.StatusCode);
    }

    private async Task<Dictionary<string, string>> ScrapeAsync()
    {
        var result = new Dictionary<string, string>();
        foreach (var instance in environment.Cluster.Instances)
        {
            using var http = PortalCluster.ClientOf(instance);
            result[instance.Name] = await http.GetStringAsync("/metrics");
        }
        return result;
    }

    // The sum of a counter's samples whose labels contain `label` (Prometheus text format).
    private static double Sum(string exposition, string metric, string label) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) && line.Contains(label, StringComparison.Ordinal))
            .Sum(line => double.Parse(line[(line.IndexOf("} ", StringComparison.Ordinal) + 2)..].Split(' ')[0], CultureInfo.InvariantCulture));

    private static double Percentile(List<double> sorted, double p) =>
        sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    // Polls until the instance refuses the key (401), within a generous bound: eventual, not timed.
    private static async Task RefusedEventuallyAsync(ClusterInstance instance, string key)
    {
        var client = ClusterEnvironment.NewClientAddress();
        var deadline = Stopwatch.GetTimestamp() + (long)(EventualBound.TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var status = await StatusAsync(instance, key, client);
            if (status == HttpStatusCode.Unauthorized)
            {
                return;
            }
            Assert.Equal(HttpStatusCode.OK, status);
            Assert.True(Stopwatch.GetTimestamp() < deadline, $"{instance.Name} still accepts the rotated key after {EventualBound}");
            await Task.Delay(5);
        }
    }

    private static async Task<HttpStatusCode> StatusAsync(ClusterInstance instance, string key, string? client = null)
    {
        using var http = PortalCluster.ClientOf(instance);
        using var response = await http.SendAsync(ClusterEnvironment.WhoAmI(key, client ?? ClusterEnvironment.NewClientAddress()));
        return response.StatusCode;
    }
}
