using System.Net;
using System.Text.Json;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.IntegrationTests.Foundation;

public sealed class ApiReferenceTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task The_openapi_document_describes_the_bearer_key_scheme()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        Assert.Equal("Datakeen API", document.RootElement.GetProperty("info").GetProperty("title").GetString());
        var scheme = document.RootElement.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
    }

    [Fact]
    public async Task The_reference_is_a_page_of_the_portal_under_its_content_security_policy_with_nothing_from_elsewhere()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        using var response = await client.GetAsync("/docs");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("script-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("<h1", page);
        Assert.Contains("POST /api/v1/credits/consume", page);
        Assert.Contains("id=\"schema-consumeresponse\"", page);
        Assert.Contains("insufficient_credits", page);
        // Every script and stylesheet is the portal's own.
        Assert.DoesNotMatch("<(script|link)[^>]+(src|href)=\"(https?:)?//", page);
        Assert.DoesNotContain("<script>", page);
    }

    [Fact]
    public async Task A_search_for_insufficient_finds_the_error_code_and_the_operation_that_answers_it_and_nothing_unrelated()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        var page = await client.GetStringAsync("/docs?q=insufficient");

        Assert.Contains("id=\"error-insufficient_credits\"", page);
        Assert.Contains("href=\"/docs/errors#insufficient_credits\"", page);
        Assert.Contains("POST /api/v1/credits/consume", page);
        Assert.DoesNotContain("id=\"error-invalid_api_key\"", page);
        Assert.DoesNotContain("GET /api/v1/whoami", page);
    }

    [Fact]
    public async Task A_search_with_no_match_says_so()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        var page = await client.GetStringAsync("/docs?q=zzzunknownzzz");

        Assert.Contains("Nothing found for", page);
        Assert.DoesNotContain("id=\"error-", page);
    }
}
