using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.ApiDocs;

// axe-core on the tab in both themes, and the screenshots shown in the README (docs/screenshots/
// when DATAKEEN_SCREENSHOTS points there).
[Collection(PortalCollection.Name)]
public sealed class LookAndAccessibilityTests(PortalEnvironment portal)
{
    [Fact]
    public async Task The_tab_has_no_serious_accessibility_violations_in_light_and_dark_themes()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/w/acme/api");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Test environment" })).ToBeVisibleAsync();
        await PageChecks.EnsureThemeAsync(page, dark: false);
        var light = await PageChecks.SeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "api-docs-desktop-light");

        await PageChecks.EnsureThemeAsync(page, dark: true);
        var dark = await PageChecks.SeriousViolationsAsync(page);
        await Screenshots.TakeAsync(page, "api-docs-desktop-dark");

        Assert.True(light.Count == 0, "light theme:\n" + string.Join("\n", light));
        Assert.True(dark.Count == 0, "dark theme:\n" + string.Join("\n", dark));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task At_360_px_the_tab_fits_the_screen_and_keeps_its_controls_reachable()
    {
        var page = await portal.NewPageAsync();
        await page.SetViewportSizeAsync(360, 780);
        await portal.SignInAsync(page, "admin@acme.test", path: "/w/acme/api");
        var testCard = page.GetByRole(AriaRole.Region, new() { Name = "Test environment" });
        await Expect(testCard).ToBeVisibleAsync();
        await PageChecks.EnsureThemeAsync(page, dark: false);

        var scrollWidth = await page.EvaluateAsync<int>("document.documentElement.scrollWidth");
        await Screenshots.TakeAsync(page, "api-docs-mobile-360");

        Assert.True(scrollWidth <= 360, $"the page scrolls sideways at 360 px ({scrollWidth} px wide)");
        var rotate = testCard.GetByRole(AriaRole.Button, new() { Name = "Rotate test secret key" });
        await rotate.ScrollIntoViewIfNeededAsync();
        var box = await rotate.BoundingBoxAsync();
        Assert.NotNull(box);
        Assert.True(box.X >= 0 && box.X + box.Width <= 360, $"the rotate button is off screen (x={box.X}, width={box.Width})");
        var appBarControls = new[]
        {
            page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }),
            page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" }),
            page.GetByTestId("workspace-switcher"),
        };
        foreach (var control in appBarControls)
        {
            var controlBox = await control.BoundingBoxAsync();
            Assert.True(controlBox is not null && controlBox.X + controlBox.Width <= 360, $"{control} is off screen at 360 px");
        }
        await page.Context.CloseAsync();
    }
}
