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
    public async Task The_reference_page_and_its_assets_are_served_by_the_portal_itself()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient();

        var page = await client.GetStringAsync("/docs/index.html");

        Assert.DoesNotContain("://", page.Replace("http://www.w3.org", "", StringComparison.Ordinal));
        Assert.Contains("swagger-ui-bundle.js", page);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/docs/swagger-ui-bundle.js")).StatusCode);
        Assert.Contains("/openapi/v1.json", await client.GetStringAsync("/docs/index.js"));
    }
}
