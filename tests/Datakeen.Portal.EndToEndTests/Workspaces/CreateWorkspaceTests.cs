using System.Text.RegularExpressions;
using Datakeen.Portal.Auditing;
using Microsoft.EntityFrameworkCore;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Workspaces;

[Collection(PortalCollection.Name)]
public sealed class CreateWorkspaceTests(PortalEnvironment portal)
{
    [Fact]
    public async Task Creating_a_workspace_lands_on_its_api_page_and_adds_it_to_the_switcher()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@globex.test", path: "/workspaces/new");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create a workspace" })).ToBeVisibleAsync();

        // Empty name: a clear message, nothing created.
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();
        await Expect(page.GetByText("Enter a workspace name.")).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "create-workspace-validation");

        await page.GetByLabel("Workspace name").FillAsync("Initech Labs!");
        await Screenshots.TakeAsync(page, "create-workspace");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create workspace" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Regex("/w/initech-labs/api$"));
        await Expect(page.GetByTestId("workspace-name")).ToHaveTextAsync("Initech Labs!");
        await page.GetByTestId("workspace-switcher").ClickAsync();
        await Expect(page.GetByRole(AriaRole.Menuitem, new() { Name = "Globex" })).ToBeVisibleAsync();
        await page.Context.CloseAsync();

        // Audited with where the click came from: the browser's address and user agent, seen by the circuit.
        await using var db = portal.CreateDbContext();
        var created = await db.AuditEvents.SingleAsync(e => e.Action == AuditActions.WorkspaceCreated && e.Target == "initech-labs");
        Assert.Contains("Chrome", created.UserAgent);
        Assert.Equal("127.0.0.1", created.IpAddress);
    }
}
