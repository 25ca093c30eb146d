using Deque.AxeCore.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests;

// What the UI tests check on any page: the theme (switched with the app bar's own button,
// then waited for until the palette is applied) and axe-core's serious and critical findings.
public static class PageChecks
{
    private const string PaletteApplied = """
        dark => {
          const [r, g, b] = getComputedStyle(document.body)
            .backgroundColor.match(/\d+/g).map(Number);
          const settled = document.getAnimations().every(a => a.playState !== 'running');
          return settled && (dark ? r + g + b < 200 : r + g + b > 600);
        }
        """;

    public static async Task EnsureThemeAsync(IPage page, bool dark)
    {
        var toLight = page.GetByRole(AriaRole.Button, new() { Name = "Switch to light theme" });
        var toDark = page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" });
        await Expect(toLight.Or(toDark)).ToBeEnabledAsync();
        if (dark && await toDark.IsVisibleAsync())
        {
            await toDark.ClickAsync();
        }
        else if (!dark && await toLight.IsVisibleAsync())
        {
            await toLight.ClickAsync();
        }

        await Expect(dark ? toLight : toDark).ToBeVisibleAsync();
        await page.WaitForFunctionAsync(PaletteApplied, dark);
    }

    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .SelectMany(v => v.Nodes.Select(n => $"{v.Id} ({v.Impact}): {n.Html[..Math.Min(120, n.Html.Length)]} — {n.Any.FirstOrDefault()?.Message}"))
            .ToList();
    }

    // axe in both themes; the screenshots are named after the page.
    public static async Task<IReadOnlyList<string>> ViolationsInBothThemesAsync(IPage page, string name)
    {
        var found = new List<string>();
        foreach (var dark in new[] { false, true })
        {
            await EnsureThemeAsync(page, dark);
            found.AddRange((await SeriousViolationsAsync(page)).Select(v => $"{(dark ? "dark" : "light")}: {v}"));
            await Screenshots.TakeAsync(page, $"{name}-{(dark ? "dark" : "light")}");
        }

        return found;
    }
}
