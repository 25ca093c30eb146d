using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.IntegrationTests.Foundation;

// Release 2 of the API contract: Request-Id on every answer, requestId and a type that resolves on /docs/errors
// in every problem, problems for unknown routes and wrong methods, and a document that says what the API does.
public sealed class ApiErrorReferenceTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Theory]
    [InlineData("GET", "/api/v1/no-such-operation", HttpStatusCode.NotFound, "not_found")]
    [InlineData("GET", "/api/v2/whoami", HttpStatusCode.NotFound, "not_found")]
    [InlineData("DELETE", "/api/v1/whoami", HttpStatusCode.MethodNotAllowed, "method_not_allowed")]
    [InlineData("GET", "/api/v1/credits/consume", HttpStatusCode.MethodNotAllowed, "method_not_allowed")]
    [InlineData("GET", "/api/v1/whoami", HttpStatusCode.Unauthorized, "invalid_api_key")]
    public async Task Refusals_are_problems_with_a_request_id_and_a_type_on_the_error_reference(
        string method, string path, HttpStatusCode status, string code)
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal($"/docs/errors#{code}", problem.GetProperty("type").GetString());
        var requestId = Assert.Single(response.Headers.GetValues("Request-Id"));
        Assert.Equal(requestId, problem.GetProperty("requestId").GetString());

        var reference = await client.GetStringAsync("/docs/errors");
        Assert.Contains($"id=\"{code}\"", reference);
    }

    [Fact]
    public void The_api_document_error_table_lists_every_code()
    {
        var reference = File.ReadAllText(RepositoryPaths.Project("docs/api.md"));

        Assert.All(ApiErrors.All, error => Assert.Contains($"| {error.Status} | `{error.Code}` |", reference));
    }

    [Fact]
    public async Task Every_api_answer_has_its_own_request_id()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        using var first = await client.GetAsync("/api/v1/whoami");
        using var second = await client.GetAsync("/api/v1/whoami");

        Assert.NotEqual(Assert.Single(first.Headers.GetValues("Request-Id")), Assert.Single(second.Headers.GetValues("Request-Id")));
    }

    [Fact]
    public async Task The_error_reference_explains_every_code_with_cause_and_fix()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        using var response = await client.GetAsync("/docs/errors");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(ApiErrors.All, error =>
        {
            var entry = Regex.Match(page, $"id=\"{error.Code}\".*?(?=id=\"[a-z_]+\" role=\"region\"|$)", RegexOptions.Singleline).Value;
            Assert.Contains("Cause", entry);
            Assert.Contains("Fix", entry);
            Assert.Contains(System.Net.WebUtility.HtmlEncode(error.Title), entry);
        });
        Assert.Equal(ApiErrors.All.Count, ApiErrors.All.Select(e => e.Code).Distinct().Count());
    }

    [Fact]
    public async Task The_document_holds_only_the_api_with_integers_and_problem_codes_described()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;

        Assert.All(root.GetProperty("servers").EnumerateArray(), s => Assert.DoesNotMatch("/$", s.GetProperty("url").GetString()!));
        Assert.All(root.GetProperty("tags").EnumerateArray(), t => Assert.False(string.IsNullOrEmpty(t.GetProperty("description").GetString())));
        var paths = root.GetProperty("paths").EnumerateObject().ToList();
        Assert.Equal([
            "/api/v1/credits", "/api/v1/credits/consume", "/api/v1/keys/verify", "/api/v1/secret-scanning/github", "/api/v1/whoami",
        ], paths.Select(p => p.Name).Order());

        var schemas = root.GetProperty("components").GetProperty("schemas");
        foreach (var (schema, property) in new[]
                 {
                     ("CreditsResponse", "balance"), ("CreditsResponse", "granted"), ("CreditsResponse", "consumed"),
                     ("ConsumeResponse", "amount"), ("ConsumeResponse", "balance"),
                 })
        {
            Assert.Equal("integer", schemas.GetProperty(schema).GetProperty("properties").GetProperty(property).GetProperty("type").GetString());
        }

        var consume = root.GetProperty("paths").GetProperty("/api/v1/credits/consume").GetProperty("post");
        foreach (var operation in paths.SelectMany(p => p.Value.EnumerateObject()).Select(o => o.Value))
        {
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("operationId").GetString()));
            Assert.False(string.IsNullOrEmpty(operation.GetProperty("summary").GetString()));
            foreach (var response in operation.GetProperty("responses").EnumerateObject())
            {
                Assert.True(response.Value.GetProperty("headers").TryGetProperty("Request-Id", out _), response.Name);
                if (int.Parse(response.Name) < 400)
                {
                    continue;
                }

                var media = response.Value.GetProperty("content").GetProperty("application/problem+json");
                var codes = media.GetProperty("schema").GetProperty("properties").GetProperty("code").GetProperty("enum")
                    .EnumerateArray().Select(c => c.GetString()).ToList();
                Assert.NotEmpty(codes);
                Assert.All(codes, c => Assert.Contains(ApiErrors.All, e => e.Code == c && e.Status == int.Parse(response.Name)));
                Assert.Equal(codes.Order(), media.GetProperty("examples").EnumerateObject().Select(e => e.Name).Order());
            }
        }

        var consumeCodes = consume.GetProperty("responses").EnumerateObject()
            .Where(r => r.Value.TryGetProperty("content", out var c) && c.TryGetProperty("application/problem+json", out _))
            .SelectMany(r => r.Value.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema")
                .GetProperty("properties").GetProperty("code").GetProperty("enum").EnumerateArray().Select(c => c.GetString()));
        Assert.Superset(
            new HashSet<string?> { "missing_idempotency_key", "invalid_request", "invalid_api_key", "insufficient_credits",
                "public_key_not_allowed", "idempotency_conflict", "idempotency_key_reused", "rate_limited", "service_unavailable" },
            consumeCodes.ToHashSet());
        var responses = consume.GetProperty("responses");
        Assert.True(responses.GetProperty("201").GetProperty("headers").TryGetProperty("Idempotent-Replayed", out _));
        Assert.True(responses.GetProperty("401").GetProperty("headers").TryGetProperty("WWW-Authenticate", out _));
        Assert.True(responses.GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _));
        Assert.True(responses.GetProperty("201").GetProperty("content").GetProperty("application/json").TryGetProperty("example", out _));
    }

    [Fact]
    public async Task A_replayed_refusal_is_the_first_answer_with_its_type_and_request_id()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        using var client = portal.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", workspace.TestSecretKey);
        var idempotencyKey = Guid.NewGuid().ToString();
        HttpRequestMessage TooMuch() => new(HttpMethod.Post, "/api/v1/credits/consume")
        {
            Content = new StringContent("""{"amount":100}""", System.Text.Encoding.UTF8, "application/json"),
            Headers = { { "Idempotency-Key", idempotencyKey } },
        };

        using var first = await client.SendAsync(TooMuch());
        using var replay = await client.SendAsync(TooMuch());

        Assert.Equal(HttpStatusCode.PaymentRequired, replay.StatusCode);
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues("Idempotent-Replayed")));
        var body = await replay.Content.ReadAsStringAsync();
        Assert.Equal(await first.Content.ReadAsStringAsync(), body);
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal("/docs/errors#insufficient_credits", problem.GetProperty("type").GetString());
        Assert.Equal(Assert.Single(first.Headers.GetValues("Request-Id")), problem.GetProperty("requestId").GetString());
    }

    [Fact]
    public async Task Numbers_sent_as_strings_are_refused_like_the_document_says()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        using var client = portal.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume")
        {
            Content = new StringContent("""{"amount":"2"}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workspace.TestSecretKey);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("invalid_request", problem.GetProperty("code").GetString());
    }
}
