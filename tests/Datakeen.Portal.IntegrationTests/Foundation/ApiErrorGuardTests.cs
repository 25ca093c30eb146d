using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.IntegrationTests.Foundation;

public sealed class ApiErrorGuardTests
{
    [Fact]
    public async Task A_key_check_during_a_database_outage_is_a_503_problem_not_a_500()
    {
        var unreachable = "Host=127.0.0.1;Port=1;Database=nothing;Username=postgres;Timeout=2";
        await using var portal = new PortalFactory(unreachable, new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });
        using var client = portal.CreateClient();
        var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

        using var response = await client.GetAsync("/api/v1/whoami");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("service_unavailable", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal("/docs/errors#service_unavailable", problem.RootElement.GetProperty("type").GetString());
        // The id survives the guard clearing the response it replaces.
        Assert.Equal(Assert.Single(response.Headers.GetValues("Request-Id")), problem.RootElement.GetProperty("requestId").GetString());
        Assert.DoesNotContain(key, body);
        Assert.DoesNotContain("   at ", body);
    }

    // The difference the guard makes: a database that answers but refuses the statement (here: the schema
    // was never migrated, 42P01) is the portal's bug, reported as a 500 with the request id and logged —
    // not an outage that tells clients to retry and pages whoever watches 503s.
    [Fact]
    public async Task A_database_that_answers_with_an_error_is_a_500_problem_with_request_id_not_a_503()
    {
        var emptyDatabase = await TestPostgres.CreateEmptyDatabaseAsync();
        try
        {
            var logs = new CapturedLogs();
            await using var portal = new PortalFactory(emptyDatabase,
                new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" }) { LogCapture = logs };
            using var client = portal.CreateClient();
            var key = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

            using var response = await client.GetAsync("/api/v1/whoami");

            Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var body = await response.Content.ReadAsStringAsync();
            using var problem = JsonDocument.Parse(body);
            Assert.Equal("internal_error", problem.RootElement.GetProperty("code").GetString());
            var requestId = problem.RootElement.GetProperty("requestId").GetString();
            Assert.False(string.IsNullOrEmpty(requestId));
            Assert.False(response.Headers.Contains("Retry-After"));
            Assert.DoesNotContain(key, body);
            Assert.DoesNotContain("   at ", body);
            Assert.Contains(logs.Entries, e => e.Contains(requestId!, StringComparison.Ordinal) && e.Contains("42P01", StringComparison.Ordinal));
            Assert.DoesNotContain(logs.Entries, e => e.Contains(key, StringComparison.Ordinal));
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(emptyDatabase);
        }
    }
}
