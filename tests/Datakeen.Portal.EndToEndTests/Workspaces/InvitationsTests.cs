using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Workspaces;

// An invitation no longer attaches silently: the invited person sees it counted in the user menu, reads
// who invited them on /invitations, and joins only by clicking Accept.
[Collection(PortalCollection.Name)]
public sealed class InvitationsTests(PortalEnvironment portal)
{
    [Fact]
    public async Task An_invited_person_lands_nowhere_until_they_accept_the_invitation()
    {
        var admin = await portal.NewPageAsync();
        await portal.SignInAsync(admin, "admin@globex.test", path: "/w/globex/members");
        await admin.GetByLabel("Email").FillAsync(PortalStack.Newcomer);
        await admin.GetByRole(AriaRole.Button, new() { Name = "Add member" }).ClickAsync();
        // MudBlazor 9.14 marks its snackbar container as a status region too: the page's own message is the one that speaks.
        await Expect(admin.GetByRole(AriaRole.Status).Filter(new() { HasText = "invited" })).ToHaveTextAsync($"{PortalStack.Newcomer} is invited.");
        await admin.Context.CloseAsync();

        var invitee = await portal.NewPageAsync();
        await portal.SignInAsync(invitee, PortalStack.Newcomer);
        await Expect(invitee).ToHaveURLAsync(new Regex("/workspaces/new$"));
        var menu = invitee.GetByRole(AriaRole.Button, new() { Name = "Invitations (1 pending)" });
        await Expect(menu).ToBeVisibleAsync();
        await menu.ClickAsync();

        await invitee.WaitForURLAsync(new Regex("/invitations$"));
        var invitation = invitee.GetByRole(AriaRole.Region, new() { Name = "Invitation to Globex" });
        await Expect(invitation).ToContainTextAsync("Role: Member");
        await Expect(invitation).ToContainTextAsync("invited by");
        await invitation.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        await invitee.WaitForURLAsync(new Regex("/w/globex/api$"));
        await Expect(invitee.GetByRole(AriaRole.Region, new() { Name = "Test environment" })).ToBeVisibleAsync();
        await invitee.Context.CloseAsync();
    }
}
