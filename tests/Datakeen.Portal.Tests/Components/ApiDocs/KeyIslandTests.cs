using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Components.Pages.ApiDocs;
using Microsoft.AspNetCore.Components;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// A rolling restart hands an open tab from instance to instance, up to three times; each pause persists whether a
// key's rotation dialog is open, and the next circuit opens it again.
public sealed class KeyIslandTests : ApiDocsTestContext
{
    private static readonly string TestSecretDialog = RotateKeyDialogState.PersistenceKey(KeyEnvironment.Test, KeyKind.Secret);

    // The second hand-off can come while the resumed tab is still loading its keys: there is no row yet, and the dialog
    // must not be lost on the way.
    [Fact]
    public void A_rotation_dialog_brought_back_by_a_resume_is_persisted_again_by_a_pause_that_comes_before_the_keys_have_loaded()
    {
        PersistentState.Persist(TestSecretDialog, true);
        KeyManager.ListGate = new TaskCompletionSource();
        var tab = RenderTab();
        Assert.Empty(tab.FindAll("[data-testid^='key-']"));

        PersistentState.TriggerOnPersisting();

        Assert.True(PersistentState.TryTake<bool>(TestSecretDialog, out var open) && open);
        Assert.False(PersistentState.TryTake<bool>(RotateKeyDialogState.PersistenceKey(KeyEnvironment.Test, KeyKind.Public), out _));
    }

    // One island per environment holds both of its keys (issue 21, fifth stop: an island is a root component of the
    // circuit, with its own state kept for the life of the circuit): public row first, then secret.
    [Fact]
    public void Each_environment_has_one_key_island_with_its_public_row_then_its_secret_row()
    {
        var tab = RenderTab();

        tab.WaitForAssertion(() => Assert.Equal(4, tab.FindAll("code[data-testid^='key-']").Count));
        var islands = tab.FindComponents<KeyIsland>();
        Assert.Equal([KeyEnvironment.Test, KeyEnvironment.Production], islands.Select(i => i.Instance.Environment));
        Assert.Equal(["key-test-public", "key-test-secret"],
            islands[0].FindAll("code[data-testid^='key-']").Select(e => e.GetAttribute("data-testid")));
        Assert.Equal(["key-production-public", "key-production-secret"],
            islands[1].FindAll("code[data-testid^='key-']").Select(e => e.GetAttribute("data-testid")));
    }

    // Each key of the island keeps its own flag: both of an environment's dialogs can be brought back.
    [Fact]
    public void Both_rotation_dialogs_of_one_island_are_persisted_again_by_a_pause_that_comes_before_the_keys_have_loaded()
    {
        var testPublicDialog = RotateKeyDialogState.PersistenceKey(KeyEnvironment.Test, KeyKind.Public);
        PersistentState.Persist(TestSecretDialog, true);
        PersistentState.Persist(testPublicDialog, true);
        KeyManager.ListGate = new TaskCompletionSource();
        RenderTab();

        PersistentState.TriggerOnPersisting();

        Assert.True(PersistentState.TryTake<bool>(TestSecretDialog, out var secretOpen) && secretOpen);
        Assert.True(PersistentState.TryTake<bool>(testPublicDialog, out var publicOpen) && publicOpen);
        Assert.False(PersistentState.TryTake<bool>(RotateKeyDialogState.PersistenceKey(KeyEnvironment.Production, KeyKind.Secret), out _));
    }

    [Fact]
    public void A_rotation_dialog_opened_in_the_row_is_persisted_by_a_pause()
    {
        var (dialogs, tab) = RenderTabWithDialogs();
        OpenTestSecretRotation(dialogs, tab);

        PersistentState.TriggerOnPersisting();

        Assert.True(PersistentState.TryTake<bool>(TestSecretDialog, out var open) && open);
    }

    [Fact]
    public void A_rotation_dialog_closed_again_is_not_persisted()
    {
        var (dialogs, tab) = RenderTabWithDialogs();
        var row = OpenTestSecretRotation(dialogs, tab);

        dialogs.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").Click();
        dialogs.WaitForAssertion(() => Assert.False(row.Instance.RotationDialogOpen));
        PersistentState.TriggerOnPersisting();

        Assert.False(PersistentState.TryTake<bool>(TestSecretDialog, out _));
    }

    // The resumed circuit opens the dialog again, once the providers and every island of the tab have rendered.
    [Fact]
    public void A_rotation_dialog_brought_back_by_a_resume_opens_again_once_the_islands_have_rendered()
    {
        this.AddAuthorization().SetAuthorized("Ada Admin");
        PersistentState.Persist(TestSecretDialog, true);
        KeyManager.ListGate = new TaskCompletionSource();
        var tab = RenderTab();
        var providers = Render<Datakeen.Portal.Components.Layout.InteractiveProviders>();
        Assert.DoesNotContain("Rotate test secret key?", providers.Markup);

        tab.InvokeAsync(() => KeyManager.ListGate.SetResult());

        providers.WaitForAssertion(() => Assert.Contains("Rotate test secret key?", providers.Markup));
        var row = tab.FindComponents<KeyRow>().Single(r => r.Instance.Key is { Environment: KeyEnvironment.Test, Kind: KeyKind.Secret });
        Assert.True(row.Instance.RotationDialogOpen);
    }

    private static IRenderedComponent<KeyRow> OpenTestSecretRotation<TDialogs>(IRenderedComponent<TDialogs> dialogs, IRenderedComponent<ApiDocsTab> tab)
        where TDialogs : IComponent
    {
        tab.WaitForAssertion(() => Assert.Equal(4, tab.FindAll("[data-testid^='key-']").Count));
        var row = tab.FindComponents<KeyRow>().Single(r => r.Instance.Key is { Environment: KeyEnvironment.Test, Kind: KeyKind.Secret });
        row.Find("button[aria-label='Rotate test secret key']").Click();
        dialogs.WaitForAssertion(() => Assert.Contains("Rotate test secret key?", dialogs.Markup));
        Assert.True(row.Instance.RotationDialogOpen);
        return row;
    }
}
