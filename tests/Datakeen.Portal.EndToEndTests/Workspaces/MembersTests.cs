using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Workspaces;

[Collection(PortalCollection.Name)]
public sealed class MembersTests(PortalEnvironment portal)
{
    [Fact]
    public async Task An_admin_invites_a_member_and_a_member_only_reads_the_list()
    {
        var admin = await portal.NewPageAsync();
        await portal.SignInAsync(admin, "admin@acme.test", path: "/w/acme/members");
        await Expect(admin.GetByRole(AriaRole.Heading, new() { Name = "Members", Level = 1 })).ToBeVisibleAsync();

        await admin.GetByLabel("Email").FillAsync("new.hire@acme.test");
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();

        // MudBlazor 9.14 marks its snackbar container as a status region too: the page's own message is the one that speaks.
        await Expect(admin.GetByRole(AriaRole.Status).Filter(new() { HasText = "invited" })).ToHaveTextAsync("new.hire@acme.test is invited.");
        await Expect(admin.GetByRole(AriaRole.Cell, new() { Name = "new.hire@acme.test", Exact = true })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(admin, "members-admin");
        await admin.Context.CloseAsync();

        var member = await portal.NewPageAsync();
        await portal.SignInAsync(member, "member@acme.test", path: "/w/acme/members");
        await Expect(member.GetByRole(AriaRole.Cell, new() { Name = "new.hire@acme.test", Exact = true })).ToBeVisibleAsync();
        await Expect(member.GetByRole(AriaRole.Button, new() { Name = "Add member" })).ToHaveCountAsync(0);
        await member.Context.CloseAsync();
    }
}
