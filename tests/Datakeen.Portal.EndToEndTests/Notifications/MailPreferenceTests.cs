using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.Notifications;

[Collection(PortalCollection.Name)]
public sealed class MailPreferenceTests(PortalEnvironment portal)
{
    [Fact]
    public async Task A_user_mutes_and_unmutes_credit_notices_from_the_app_bar_and_it_is_remembered()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@globex.test", path: "/workspaces/new");

        await page.GetByRole(AriaRole.Button, new() { Name = "Mute credit notices" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unmute credit notices" })).ToBeVisibleAsync();
        Assert.True(await MutedAsync("admin@globex.test"));

        await page.ReloadAsync();
        var unmute = page.GetByRole(AriaRole.Button, new() { Name = "Unmute credit notices" });
        await Expect(unmute).ToBeEnabledAsync();
        await unmute.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Mute credit notices", Exact = true })).ToBeVisibleAsync();
        Assert.False(await MutedAsync("admin@globex.test"));
        await page.Context.CloseAsync();
    }

    private async Task<bool> MutedAsync(string email)
    {
        await using var db = await portal.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        return await db.Users.Where(u => u.Email == email).Select(u => u.MuteNonSecurityMail).SingleAsync();
    }
}
