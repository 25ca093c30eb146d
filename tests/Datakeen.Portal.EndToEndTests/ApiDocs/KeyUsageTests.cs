using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Datakeen.Portal.ApiKeys;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.ApiDocs;

[Collection(PortalCollection.Name)]
public sealed class KeyUsageTests(PortalEnvironment portal)
{
    [Fact]
    public async Task The_usage_chart_of_each_key_row_shows_the_requests_made_with_that_key_today()
    {
        var page = await portal.NewPageAsync();
        var name = $"Usage Lab {Guid.NewGuid().ToString("N")[..6]}";
        await portal.SignInAsync(page, "admin@acme.test", path: "/workspaces/new");
        await page.GetByLabel("Workspace name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/w/[a-z0-9-]+/api$"), new() { WaitUntil = WaitUntilState.Commit });
        var card = new ApiDocsTabPage(page).Test;
        var testCard = card.Region;
        await Expect(testCard.GetByTestId("usage-test-secret")).ToHaveTextAsync("0 requests in the last 30 days");

        var secret = await card.SecretKey.RevealAsync();
        var publicKey = await card.PublicKey.RevealAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(secret));
        }
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(publicKey));
        // What the periodic flush does every minute.
        await portal.Portal.Services.GetRequiredService<ApiKeyUsageFlusher>().FlushAsync(CancellationToken.None);

        await page.ReloadAsync();

        await Expect(testCard.GetByTestId("usage-test-secret")).ToHaveTextAsync("3 requests in the last 30 days, 3 today");
        await Expect(testCard.GetByTestId("usage-test-public")).ToHaveTextAsync("1 request in the last 30 days, 1 today");
        var production = page.GetByRole(AriaRole.Region, new() { Name = "Production environment" });
        await Expect(production.GetByTestId("usage-production-secret")).ToHaveTextAsync("0 requests in the last 30 days");
        await Expect(production.GetByTestId("usage-production-public")).ToHaveTextAsync("0 requests in the last 30 days");
        await Screenshots.TakeAsync(page, "key-usage", testCard.GetByTestId("key-test-secret"));
        await page.Context.CloseAsync();
    }

    private async Task<HttpStatusCode> WhoAmIAsync(string key)
    {
        using var client = new HttpClient { BaseAddress = portal.PortalAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await client.GetAsync("/api/v1/whoami");
        return response.StatusCode;
    }
}
