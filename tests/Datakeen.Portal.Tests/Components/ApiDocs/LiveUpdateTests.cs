using Datakeen.Portal.Components.Pages.ApiDocs;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

public sealed class LiveUpdateTests : ApiDocsTestContext
{
    [Fact]
    public void A_credit_notification_for_this_workspace_reloads_the_meter()
    {
        var tab = RenderTab();
        Credits.Balance = 16;

        Feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(WorkspaceId, "consume"));

        tab.WaitForAssertion(() =>
            Assert.Equal("16", tab.Find("[role='progressbar']").GetAttribute("aria-valuenow")));
        Assert.Equal("16 / 20", tab.Find("[data-testid='credit-meter-text']").TextContent);
    }

    [Fact]
    public void A_credit_notification_renders_the_meter_alone()
    {
        var tab = RenderTab();
        // bUnit counts a component's renders and its children's: the cards' key rows must not move.
        var keyRows = tab.FindComponents<KeyRow>();
        var keyRowRenders = keyRows.Select(r => r.RenderCount).ToList();
        var production = tab.FindComponents<EnvironmentCard>().Single(c => c.Instance.Environment == KeyEnvironment.Production);
        var productionRenders = production.RenderCount;
        Credits.Balance = 15;

        Feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(WorkspaceId, "consume"));

        tab.WaitForAssertion(() => Assert.Equal("15 / 20", tab.Find("[data-testid='credit-meter-text']").TextContent));
        Assert.Equal(4, keyRows.Count);
        Assert.Equal(keyRowRenders, keyRows.Select(r => r.RenderCount).ToList());
        Assert.Equal(productionRenders, production.RenderCount);
    }

    [Fact]
    public void A_credit_notification_that_finds_the_caller_removed_says_so()
    {
        var tab = RenderTab();
        Credits.NotAMember = true;

        Feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(WorkspaceId, "consume"));

        tab.WaitForAssertion(() => Assert.Contains("You are no longer a member of this workspace.", tab.Markup));
        Assert.Empty(tab.FindAll("[role='progressbar']"));
    }

    [Fact]
    public void A_credit_notification_for_another_workspace_is_ignored()
    {
        var tab = RenderTab();
        var calls = Credits.ViewCalls;
        Credits.Balance = 3;

        Feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(Guid.NewGuid()));

        Assert.Equal(calls, Credits.ViewCalls);
        Assert.Equal("17", tab.Find("[role='progressbar']").GetAttribute("aria-valuenow"));
    }

    [Fact]
    public void A_key_notification_for_this_workspace_reloads_the_keys()
    {
        var tab = RenderTab();
        var old = KeyManager.Key(KeyEnvironment.Production, KeyKind.Secret);
        KeyManager.Keys.Remove(old);
        var replacement = KeyManager.Add(KeyEnvironment.Production, KeyKind.Secret, fill: 'r');

        Feed.Publish(ChangeFeed.KeyChannel, ChangePayload.For(WorkspaceId, replacement.Id.ToString()));

        tab.WaitForAssertion(() =>
            Assert.Equal(replacement.MaskedValue, tab.Find("[data-testid='key-production-secret']").TextContent));
    }

    [Fact]
    public void A_revealed_key_replaced_by_a_rotation_elsewhere_is_no_longer_shown()
    {
        var tab = RenderTab();
        var old = KeyManager.Key(KeyEnvironment.Test, KeyKind.Secret);
        Button(tab, "Reveal test secret key").Click();
        KeyManager.Keys.Remove(old);
        var replacement = KeyManager.Add(KeyEnvironment.Test, KeyKind.Secret, fill: 'r');

        Feed.Publish(ChangeFeed.KeyChannel, ChangePayload.For(WorkspaceId));

        tab.WaitForAssertion(() =>
            Assert.Equal(replacement.MaskedValue, tab.Find("[data-testid='key-test-secret']").TextContent));
        Assert.DoesNotContain(KeyManager.Plaintext(old), tab.Markup);
    }

    [Fact]
    public void A_reconnect_of_the_change_feed_reloads_everything()
    {
        var tab = RenderTab();
        var listCalls = KeyManager.ListCalls;
        Credits.Balance = 12;

        Feed.RaiseReconnected();

        tab.WaitForAssertion(() =>
            Assert.Equal("12", tab.Find("[role='progressbar']").GetAttribute("aria-valuenow")));
        Assert.True(KeyManager.ListCalls > listCalls);
    }

    [Fact]
    public async Task Notifications_after_the_tab_is_gone_are_ignored()
    {
        RenderTab();
        await CloseTabAsync();
        var listCalls = KeyManager.ListCalls;
        var viewCalls = Credits.ViewCalls;

        Feed.Publish(ChangeFeed.KeyChannel, ChangePayload.For(WorkspaceId));
        Feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(WorkspaceId));
        Feed.RaiseReconnected();

        Assert.Equal(listCalls, KeyManager.ListCalls);
        Assert.Equal(viewCalls, Credits.ViewCalls);
    }
}
