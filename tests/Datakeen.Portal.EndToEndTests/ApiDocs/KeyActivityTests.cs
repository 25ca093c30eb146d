using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.ApiDocs;

// Key activity on the tab (docs/key-activity.md), driven by accessible names: calls appear in the activity panel,
// a public key's allowed websites refuse other origins, and the drain view's "Revoke old key now" ends a grace period.
[Collection(PortalCollection.Name)]
public sealed class KeyActivityTests(PortalEnvironment portal)
{
    [Fact]
    public async Task Calls_appear_in_the_activity_panel_allowed_websites_refuse_others_and_revoke_now_ends_the_grace()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/workspaces/new");
        await page.GetByLabel("Workspace name").FillAsync($"Activity Lab {Guid.NewGuid().ToString("N")[..6]}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/w/[a-z0-9-]+/api$"), new() { WaitUntil = WaitUntilState.Commit });
        var card = page.GetByRole(AriaRole.Region, new() { Name = "Test environment" });
        var publicKey = await RevealAsync(card, "public");

        // Three calls with the key, then the flush the interval would run: one row that counts them.
        for (var i = 0; i < 3; i++)
        {
            using var response = await CallAsync(publicKey, origin: null);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await FlushAsync();
        await card.GetByRole(AriaRole.Button, new() { Name = "Activity for test public key" }).ClickAsync();
        var panel = page.GetByRole(AriaRole.Dialog, new() { Name = "Activity for test public key" });
        var requests = panel.GetByTestId("activity-requests");
        await Expect(requests).ToContainTextAsync("GET /api/v1/whoami × 3");
        await Expect(requests).ToContainTextAsync("e2e-activity/1.0");
        await Expect(requests).ToContainTextAsync("ok");
        await Expect(requests).ToContainTextAsync("127.0.0.1");
        Assert.Empty(await PageChecks.SeriousViolationsAsync(page));
        await Screenshots.TakeAsync(page, "key-activity-panel");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Close" }).Last.ClickAsync();

        // Allowed websites: one origin, then another website is refused and the listed one passes.
        await Expect(card.GetByTestId("websites-test-public")).ToHaveTextAsync("Any website can use this key");
        await card.GetByRole(AriaRole.Button, new() { Name = "Allowed websites for test public key" }).ClickAsync();
        var editor = page.GetByRole(AriaRole.Dialog, new() { Name = "Allowed websites for test public key" });
        await editor.GetByLabel("Website origin").FillAsync("https://app.example.com");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Add" }).ClickAsync();
        await Expect(editor).ToContainTextAsync("https://app.example.com");
        await Screenshots.TakeAsync(page, "key-allowed-websites");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        await Expect(card.GetByTestId("websites-test-public")).ToContainTextAsync("https://app.example.com");
        using (var refused = await CallAsync(publicKey, "https://copycat.example.net"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Contains("origin_not_allowed", await refused.Content.ReadAsStringAsync());
        }
        using (var allowed = await CallAsync(publicKey, "https://app.example.com"))
        {
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        }

        // A rotation with a 1 hour grace: the old key's caller shows in the drain view; Revoke old key now ends it.
        var secret = await RevealAsync(card, "secret");
        await card.GetByRole(AriaRole.Button, new() { Name = "Rotate test secret key" }).ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Rotate test secret key?" });
        await dialog.GetByText("In 1 hour").ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Rotate key" }).ClickAsync();
        await Expect(dialog.GetByTestId("rotated-key")).ToHaveTextAsync(KeyPatterns.WholeKey);
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Done" }).ClickAsync();
        using (var old = await CallAsync(secret, origin: null))
        {
            Assert.Equal(HttpStatusCode.OK, old.StatusCode);
        }
        await FlushAsync();
        await page.ReloadAsync();
        card = page.GetByRole(AriaRole.Region, new() { Name = "Test environment" });
        var drain = card.GetByTestId(new Regex("^drain-[0-9a-f]{32}$"));
        await Expect(drain).ToContainTextAsync("1 request in the last hour");
        await Expect(drain).ToContainTextAsync("e2e-activity/1.0");
        await Screenshots.TakeAsync(page, "key-drain-view", card.GetByTestId("key-test-public"));
        await drain.GetByRole(AriaRole.Button, new() { Name = "Revoke old key now" }).ClickAsync();
        await Expect(drain).ToHaveCountAsync(0);
        using (var revoked = await CallAsync(secret, origin: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_leak_alert_links_to_the_impact_report_which_lists_the_requests_made_with_the_key()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/workspaces/new");
        await page.GetByLabel("Workspace name").FillAsync($"Impact Lab {Guid.NewGuid().ToString("N")[..6]}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/w/[a-z0-9-]+/api$"), new() { WaitUntil = WaitUntilState.Commit });
        var card = page.GetByRole(AriaRole.Region, new() { Name = "Production environment" });
        await card.GetByRole(AriaRole.Button, new() { Name = "Reveal production secret key" }).ClickAsync();
        var value = card.GetByTestId("key-production-secret");
        await Expect(value).ToHaveTextAsync(KeyPatterns.WholeKey);
        var secret = (await value.TextContentAsync())!.Trim();
        await card.GetByRole(AriaRole.Button, new() { Name = "Hide production secret key" }).ClickAsync();
        using (var response = await CallAsync(secret, origin: null))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        await FlushAsync();

        await portal.Portal.Services.GetRequiredService<Datakeen.Portal.SecretScanning.LeakResponder>().RespondAsync(
            [new Datakeen.Portal.SecretScanning.LeakReportRequest(secret, "datakeen_live_secret_key", $"https://gist.github.com/someone/{Guid.NewGuid():N}", "gist")],
            CancellationToken.None);
        await card.GetByRole(AriaRole.Link, new() { Name = "What this key did after it leaked" }).ClickAsync();

        await page.WaitForURLAsync(new Regex("/api/keys/[0-9a-f-]+/impact$"));
        await Expect(page.GetByTestId("impact-summary")).ToContainTextAsync("1 request");
        await Expect(page.GetByTestId("impact-clients")).ToContainTextAsync("e2e-activity/1.0");
        await Expect(page.GetByTestId("impact-clients")).ToContainTextAsync("Seen before");
        Assert.Empty(await PageChecks.SeriousViolationsAsync(page));
        await Screenshots.TakeAsync(page, "key-impact-report");
        await page.Context.CloseAsync();
    }

    private async Task<HttpResponseMessage> CallAsync(string key, string? origin)
    {
        using var client = new HttpClient { BaseAddress = portal.PortalAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        request.Headers.UserAgent.ParseAdd("e2e-activity/1.0");
        if (origin is not null)
        {
            request.Headers.TryAddWithoutValidation("Origin", origin);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    private Task FlushAsync() => portal.Portal.Services.GetRequiredService<KeyActivityWriter>().FlushAsync(CancellationToken.None);

    private static async Task<string> RevealAsync(ILocator card, string kind)
    {
        await card.GetByRole(AriaRole.Button, new() { Name = $"Reveal test {kind} key" }).ClickAsync();
        var value = card.GetByTestId($"key-test-{kind}");
        await Expect(value).ToHaveTextAsync(KeyPatterns.WholeKey);
        var plaintext = (await value.TextContentAsync())!.Trim();
        await card.GetByRole(AriaRole.Button, new() { Name = $"Hide test {kind} key" }).ClickAsync();
        return plaintext;
    }
}
