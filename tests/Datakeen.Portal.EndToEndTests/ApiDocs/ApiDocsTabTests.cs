using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.ApiDocs;

// The tab driven only by its accessible names (docs/architecture.md), against the real provider, portal and PostgreSQL.
// Each test that changes keys or credits works in a workspace of its own.
[Collection(PortalCollection.Name)]
public sealed class ApiDocsTabTests(PortalEnvironment portal)
{
    [Fact]
    public async Task An_admin_reveals_the_test_secret_uses_it_rotates_it_and_the_old_key_stops_working()
    {
        var page = await portal.NewPageAsync();
        await CreateWorkspaceAsync(page, "admin@acme.test", "Rotation Lab");
        var secretKey = new ApiDocsTabPage(page).Test.SecretKey;

        await Expect(secretKey.Value).ToContainTextAsync("dk_test_sk_••••");
        var oldKey = await secretKey.RevealAsync();
        await Expect(secretKey.HideButton).ToBeVisibleAsync();

        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(oldKey));

        await secretKey.OpenRotationAsync();
        // Before confirming, with the revealed key masked: no key material in a committed picture.
        await Screenshots.TakeAsync(page, "rotate-dialog", secretKey.Value);
        var newKey = await secretKey.ConfirmRotationAsync();
        // The tab applies the rotation itself: the row shows the new key's hint behind the dialog.
        await Expect(secretKey.Value).ToContainTextAsync(newKey[^4..]);

        Assert.NotEqual(oldKey, newKey);
        Assert.Equal(HttpStatusCode.Unauthorized, await WhoAmIAsync(oldKey));
        Assert.Equal(HttpStatusCode.OK, await WhoAmIAsync(newKey));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Hiding_a_revealed_key_masks_it_again_and_the_reveal_is_audited_without_the_key()
    {
        var page = await portal.NewPageAsync();
        await CreateWorkspaceAsync(page, "admin@acme.test", "Hide Lab");
        var secretKey = new ApiDocsTabPage(page).Test.SecretKey;

        await secretKey.RevealAsync();
        await secretKey.HideButton.ClickAsync();

        await Expect(secretKey.Value).ToContainTextAsync("••••");
        Assert.DoesNotMatch(KeyPatterns.SecretKey, await page.ContentAsync());

        // The reveal is in the workspace's audit log, by hint only.
        await page.GotoAsync(page.Url.Replace("/api", "/audit", StringComparison.Ordinal));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Audit log" })).ToBeVisibleAsync();
        await Expect(page.GetByText("key.revealed")).ToBeVisibleAsync();
        Assert.DoesNotMatch(KeyPatterns.AnyKey, await page.ContentAsync());
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Consuming_a_credit_through_the_api_moves_the_open_meter_without_a_reload()
    {
        var page = await portal.NewPageAsync();
        await CreateWorkspaceAsync(page, "admin@acme.test", "Meter Lab");
        var testCard = new ApiDocsTabPage(page).Test;
        var meter = testCard.CreditMeter;
        await Expect(meter).ToHaveAttributeAsync("aria-valuenow", "20");
        await Expect(meter).ToHaveAttributeAsync("aria-valuemax", "20");

        var key = await testCard.SecretKey.RevealAsync();
        var urlBefore = page.Url;

        using var client = ApiClient(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume")
        {
            Content = new StringContent("""{"amount":1,"reference":"e2e"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        // Live, without a reload (the URL check below); the bound is generous for a loaded 2-core machine.
        await Expect(meter).ToHaveAttributeAsync("aria-valuenow", "19", new() { Timeout = 30_000 });
        await Expect(testCard.Region).ToContainTextAsync("19 / 20");
        Assert.Equal(urlBefore, page.Url);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_member_sees_public_keys_but_no_secret_reveal_copy_or_rotate_controls()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "member@acme.test", path: "/w/acme/api");

        foreach (var (environment, region) in new[] { ("test", "Test environment"), ("production", "Production environment") })
        {
            var card = page.GetByRole(AriaRole.Region, new() { Name = region });
            await Expect(card.GetByTestId($"key-{environment}-secret")).ToContainTextAsync("••••");
            await Expect(card.GetByRole(AriaRole.Button, new() { Name = $"Reveal {environment} public key" })).ToBeVisibleAsync();
            await Expect(card.GetByRole(AriaRole.Button, new() { Name = $"Reveal {environment} secret key" })).ToHaveCountAsync(0);
            await Expect(card.GetByRole(AriaRole.Button, new() { Name = $"Copy {environment} secret key" })).ToHaveCountAsync(0);
            await Expect(card.GetByRole(AriaRole.Button, new() { Name = $"Rotate {environment} secret key" })).ToHaveCountAsync(0);
            await Expect(card.GetByRole(AriaRole.Button, new() { Name = $"Rotate {environment} public key" })).ToHaveCountAsync(0);
            await Expect(card).ToContainTextAsync("Only admins can reveal or rotate secret keys");
        }

        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_secret_is_not_in_the_prerendered_html()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/w/acme/api");

        var html = await page.Context.APIRequest.GetAsync("/w/acme/api");

        Assert.Equal(200, html.Status);
        var body = await html.TextAsync();
        // The tab itself (not a sign-in form or an error page), with its key rows, and no secret in it.
        Assert.EndsWith("/w/acme/api", new Uri(html.Url).AbsolutePath, StringComparison.Ordinal);
        Assert.Contains("Your API keys", body);
        Assert.Contains("Reveal production secret key", body);
        Assert.DoesNotMatch(KeyPatterns.SecretKey, body);
        Assert.Contains("no-store", html.Headers["cache-control"]);
        await page.Context.CloseAsync();
    }

    private async Task CreateWorkspaceAsync(IPage page, string email, string namePrefix)
    {
        var name = $"{namePrefix} {Guid.NewGuid().ToString("N")[..6]}";
        await portal.SignInAsync(page, email, path: "/workspaces/new");
        await page.GetByLabel("Workspace name").FillAsync(name);
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/w/[a-z0-9-]+/api$"), new() { WaitUntil = WaitUntilState.Commit });
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Test environment" })).ToBeVisibleAsync();
    }

    private HttpClient ApiClient(string key)
    {
        var client = new HttpClient { BaseAddress = portal.PortalAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    private async Task<HttpStatusCode> WhoAmIAsync(string key)
    {
        using var client = ApiClient(key);
        using var response = await client.GetAsync("/api/v1/whoami");
        return response.StatusCode;
    }
}
