using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// The key row's activity tools (docs/key-activity.md) by their accessible names.
public sealed class KeyActivityUiTests : ApiDocsTestContext
{
    [Fact]
    public void Every_key_has_its_activity_button_and_public_keys_say_any_website_can_use_them()
    {
        var tab = RenderTab(isAdmin: false);

        foreach (var name in new[] { "test public", "test secret", "production public", "production secret" })
        {
            Assert.True(HasButton(tab, $"Activity for {name} key"));
        }

        Assert.Equal("Any website can use this key", tab.Find("[data-testid='websites-test-public']").TextContent.Trim());
        // Only admins edit the list.
        Assert.False(HasButton(tab, "Allowed websites for test public key"));
    }

    [Fact]
    public void The_activity_panel_lists_requests_newest_first_and_its_clients()
    {
        var key = KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret);
        var at = DateTimeOffset.UtcNow;
        Activity.Views[key.Id] = new KeyActivityView(
            [
                new ActivityRow(at, "GET /api/v1/whoami", ActivityOutcomes.Ok, "203.0.113.7", "curl/8.5.0", "req-2", null, Requests: 1204),
                new ActivityRow(at.AddMinutes(-1), "POST /api/v1/credits/consume", ActivityOutcomes.RateLimited, "203.0.113.7", "curl/8.5.0", "req-1", null),
            ],
            [new ActivityClient("203.0.113.7", "curl/8.5.0", at.AddMinutes(-1), at, 1205)]);
        var (dialogs, tab) = RenderTabWithDialogs();

        Button(tab, "Activity for test secret key").Click();

        var rows = dialogs.WaitForElements("[data-testid='activity-requests'] tbody tr");
        Assert.Equal(["req-2", "req-1"], rows.Select(r => r.QuerySelector("code")!.TextContent));
        // A coalesced row says how many requests it stands for; a single request says nothing.
        Assert.Equal("GET /api/v1/whoami × 1,204", rows[0].Children[1].TextContent.Trim());
        Assert.Equal("POST /api/v1/credits/consume", rows[1].Children[1].TextContent.Trim());
        Assert.Contains("1205", dialogs.Markup);
        Assert.Contains("Activity for test secret key", dialogs.Markup);
        Assert.Contains("curl/8.5.0", dialogs.Markup);
    }

    [Fact]
    public void A_key_without_requests_shows_how_to_make_the_first_call()
    {
        var (dialogs, tab) = RenderTabWithDialogs();

        Button(tab, "Activity for test public key").Click();

        Assert.Contains("Authorization: Bearer", dialogs.WaitForElement("[data-testid='activity-empty']").TextContent);
    }

    [Fact]
    public void An_old_key_in_its_grace_period_shows_its_drain_and_revoke_now_ends_it()
    {
        var expiring = KeyManager.Add(KeyEnvironment.Test, KeyKind.Secret, fill: 'o', expiresAt: DateTimeOffset.UtcNow.AddMinutes(50));
        var now = DateTimeOffset.UtcNow;
        Activity.Drains[expiring.Id] = new KeyDrainView(0, 12, [new ActivityClient("198.51.100.4", "worker/1.2", now.AddMinutes(-30), now.AddMinutes(-17), 12)],
            now.AddMinutes(-17), now.AddMinutes(-40), expiring.ExpiresAt, false);
        var tab = RenderTab();

        var drain = tab.WaitForElement($"[data-testid='drain-{expiring.Id:N}']");
        Assert.Contains("0 requests in the last hour, 12 requests since the rotation.", drain.TextContent);
        Assert.Contains("Quiet for 17 minutes", drain.TextContent);
        Assert.Contains("worker/1.2", drain.TextContent);
        tab.FindAll("button").Single(b => b.TextContent.Trim() == "Revoke old key now").Click();

        Assert.Equal([expiring.Id], KeyManager.EndGraceCalls);
    }
}
