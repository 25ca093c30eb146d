using System.Text.RegularExpressions;
using Datakeen.Portal.SecretScanning;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.SecretScanning;

// What an admin sees on the open tab when GitHub reports the workspace's keys (the signed endpoint itself is
// covered by the integration tests; here the report goes straight to the portal's responder).
[Collection(PortalCollection.Name)]
public sealed class LeakAlertTabTests(PortalEnvironment portal)
{
    [Fact]
    public async Task A_leaked_production_secret_shows_the_alert_and_a_leaked_test_secret_is_replaced_on_the_open_tab()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/workspaces/new");
        await page.GetByLabel("Workspace name").FillAsync($"Leak Lab {Guid.NewGuid().ToString("N")[..6]}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/w/[a-z0-9-]+/api$"), new() { WaitUntil = WaitUntilState.Commit });
        var testCard = page.GetByRole(AriaRole.Region, new() { Name = "Test environment" });
        var productionCard = page.GetByRole(AriaRole.Region, new() { Name = "Production environment" });
        var testSecret = await RevealAsync(testCard, "test");
        var productionSecret = await RevealAsync(productionCard, "production");
        var testUrl = $"https://github.com/someone/app/blob/{Guid.NewGuid():N}/.env";
        var productionUrl = $"https://gist.github.com/someone/{Guid.NewGuid():N}";

        await portal.Portal.Services.GetRequiredService<LeakResponder>().RespondAsync(
        [
            new LeakReportRequest(testSecret, "datakeen_test_secret_key", testUrl, "content"),
            new LeakReportRequest(productionSecret, "datakeen_live_secret_key", productionUrl, "gist"),
        ], CancellationToken.None);

        var alert = productionCard.GetByRole(AriaRole.Alert).Filter(new() { HasText = "found in public" });
        await Expect(alert).ToContainTextAsync(productionUrl);
        await Expect(alert.GetByRole(AriaRole.Button, new() { Name = "Rotate exposed production secret key" })).ToBeVisibleAsync();
        await Expect(testCard.GetByTestId("key-test-secret-replaced-after-leak")).ToContainTextAsync("because it leaked");
        await Expect(testCard.GetByTestId("key-test-secret-replaced-after-leak")).ToContainTextAsync(testUrl);
        await Expect(testCard.GetByTestId("key-test-secret")).Not.ToHaveTextAsync(testSecret);
        await Screenshots.TakeAsync(page, "leak-alert");

        await alert.GetByRole(AriaRole.Button, new() { Name = "Rotate exposed production secret key" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog, new() { Name = "Rotate production secret key?" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    private static async Task<string> RevealAsync(ILocator card, string environment)
    {
        await card.GetByRole(AriaRole.Button, new() { Name = $"Reveal {environment} secret key" }).ClickAsync();
        var value = card.GetByTestId($"key-{environment}-secret");
        await Expect(value).ToHaveTextAsync(KeyPatterns.WholeKey);
        var plaintext = (await value.TextContentAsync())!.Trim();
        await card.GetByRole(AriaRole.Button, new() { Name = $"Hide {environment} secret key" }).ClickAsync();
        return plaintext;
    }
}
