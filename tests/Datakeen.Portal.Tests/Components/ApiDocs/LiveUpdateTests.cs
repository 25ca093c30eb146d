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
    public void A_credit_notification_for_another_workspace_is_ignored()
    {
        var tab = RenderTab();
        var calls = Credits.SummaryCalls;
        Credits.Balance = 3;

        Feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(Guid.NewGuid()));

        Assert.Equal(calls, Credits.SummaryCalls);
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
        await DisposeComponentsAsync();
        var listCalls = KeyManager.ListCalls;
        var summaryCalls = Credits.SummaryCalls;

        Feed.Publish(ChangeFeed.KeyChannel, ChangePayload.For(WorkspaceId));
        Feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(WorkspaceId));
        Feed.RaiseReconnected();

        Assert.Equal(listCalls, KeyManager.ListCalls);
        Assert.Equal(summaryCalls, Credits.SummaryCalls);
    }
}
