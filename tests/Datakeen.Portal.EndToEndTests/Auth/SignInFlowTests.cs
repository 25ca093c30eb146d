using System.Text.RegularExpressions;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Auth;

[Collection(PortalCollection.Name)]
public sealed class SignInFlowTests(PortalEnvironment portal)
{
    [Fact]
    public async Task An_admin_signs_in_through_the_provider_lands_on_the_workspace_and_signs_out()
    {
        var page = await portal.NewPageAsync();

        await page.GotoAsync("/");
        Assert.True(portal.IsOnProvider(page), $"expected the provider's sign-in form, got {page.Url}");
        await Screenshots.TakeAsync(page, "sign-in");
        await portal.SignInAsync(page, "admin@acme.test", path: "/");

        // `/` lands on the workspace this admin used last (earlier tests may have opened another of theirs).
        await Expect(page).ToHaveURLAsync(new Regex("/w/[a-z0-9-]+/api$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "API & Docs", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("user-name")).ToHaveTextAsync("Ada Admin (Acme)");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Test environment" })).ToBeVisibleAsync();
        await Screenshots.TakeAsync(page, "api-docs-admin");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(portal.Identity.Authority, StringComparison.Ordinal));

        // Signed out of the portal and of the provider: visiting the portal asks for a sign-in again.
        await page.GotoAsync("/");
        Assert.True(portal.IsOnProvider(page), $"expected the provider after sign-out, got {page.Url}");
        await Expect(page.GetByLabel("Email")).ToBeVisibleAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_password_is_refused_by_the_provider_with_a_clear_message()
    {
        var page = await portal.NewPageAsync();
        await page.GotoAsync("/");

        await page.GetByLabel("Email").FillAsync("admin@acme.test");
        await page.GetByLabel("Password").FillAsync("wrong");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Invalid email or password.");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_member_of_another_workspace_sees_not_found()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@globex.test", path: "/w/acme/api");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found" })).ToBeVisibleAsync();
        await Expect(page.GetByText("Acme")).ToHaveCountAsync(0);
        await page.Context.CloseAsync();
    }
}
