using Deque.AxeCore.Playwright;

namespace Datakeen.Portal.EndToEndTests.Auth;

// axe-core on the pages of this issue: no serious or critical violation.
[Collection(PortalCollection.Name)]
public sealed class AccessibilityTests(PortalEnvironment portal)
{
    [Fact]
    public async Task The_provider_sign_in_form_and_the_create_workspace_page_have_no_serious_accessibility_violations()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/workspaces/new");
        var signInForm = await SeriousViolationsAsync(page);

        await portal.SignInAsync(page, "member@acme.test", path: "/workspaces/new");
        var createPage = await SeriousViolationsAsync(page);

        Assert.Empty(signInForm);
        Assert.Empty(createPage);
        await page.Context.CloseAsync();
    }

    private static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        var result = await page.RunAxe();
        return result.Violations
            .Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{v.Id} ({v.Impact}): {string.Join(", ", v.Nodes.Select(n => n.Html))}")
            .ToList();
    }
}
