using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Docs;

// The API reference (/docs), the error reference and the error page as a developer uses them in Chromium.
[Collection(PortalCollection.Name)]
public sealed class ReferenceTests(PortalEnvironment portal)
{
    [Fact]
    public async Task Searching_insufficient_finds_insufficient_credits_and_the_app_bar_leads_back_to_the_workspace()
    {
        var page = await portal.NewPageAsync();
        // /docs itself needs no sign-in (the provider is never asked): sign in first, as from the tab.
        await portal.SignInAsync(page, "admin@acme.test");
        await page.GotoAsync("/docs");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API reference", Level = 1 })).ToBeVisibleAsync();

        var search = page.GetByRole(AriaRole.Textbox, new() { Name = "Search operations, schemas and error codes" });
        await search.FillAsync("insufficient");
        await search.PressAsync("Enter");

        var entry = page.Locator("#error-insufficient_credits");
        await Expect(entry).ToBeVisibleAsync();
        await Expect(entry.GetByRole(AriaRole.Link, new() { Name = "insufficient_credits in the error reference" }))
            .ToHaveAttributeAsync("href", "/docs/errors#insufficient_credits");
        await Expect(page.Locator("#error-invalid_api_key")).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Status).Filter(new() { HasText = "found for" })).ToContainTextAsync("insufficient");
        await Screenshots.TakeAsync(page, "docs-reference-search");

        await page.GetByRole(AriaRole.Link, new() { Name = "Back to your workspace" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/w/[a-z0-9-]+/api$"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_reference_renders_in_dark_mode_and_its_samples_are_highlighted_with_a_copy_button_each()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test");
        await page.GotoAsync("/docs");
        await PageChecks.EnsureThemeAsync(page, dark: true);

        var surface = await page.Locator(".dk-reference .mud-paper").First.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor");
        var rgb = Regex.Matches(surface, "\\d+").Take(3).Select(m => int.Parse(m.Value, System.Globalization.CultureInfo.InvariantCulture)).Sum();
        Assert.True(rgb < 200, $"the reference's entries are not dark: {surface}");
        var curl = page.GetByTestId("code-sample-curl-MeteredCall");
        await Expect(curl).ToContainTextAsync("Idempotency-Key");
        await Expect(curl.Locator(".dk-code-comment").First).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Copy Node metered call sample" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData("/docs", "docs-reference")]
    [InlineData("/docs/errors", "docs-errors")]
    [InlineData("/error", "error-page")]
    public async Task The_page_has_no_serious_accessibility_violations_in_light_and_dark_themes(string path, string name)
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test");
        await page.GotoAsync(path);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeVisibleAsync();

        var violations = await PageChecks.ViolationsInBothThemesAsync(page, name);

        Assert.True(violations.Count == 0, string.Join("\n", violations));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_error_page_shows_a_request_id_and_a_way_back()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/error");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Something went wrong" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("request-id")).ToHaveTextAsync(new Regex("\\S+"));
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Go to your workspace" })).ToHaveAttributeAsync("href", "/");
        await page.Context.CloseAsync();
    }
}
