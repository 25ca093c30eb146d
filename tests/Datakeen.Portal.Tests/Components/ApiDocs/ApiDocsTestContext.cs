using Datakeen.Portal.Auth;
using Datakeen.Portal.Components.Pages.ApiDocs;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Workspaces;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor;

namespace Datakeen.Portal.Tests.Components.ApiDocs;

// The tab's test setup: fakes for the key and credit services, a real ChangeFeed, and the tab's own
// registration. Disposes asynchronously: some MudBlazor services (key interceptor) only support that.
public abstract class ApiDocsTestContext : PortalTestContext, IAsyncLifetime
{
    public const string TestJourneyApi = "https://sandbox.example.test/backend";
    public const string TestDocumentsApi = "https://sandbox-api.example.test/api";

    protected ApiDocsTestContext()
    {
        Services.AddSingleton<Datakeen.Portal.ApiKeys.IApiKeyManager>(KeyManager);
        Services.AddSingleton<Datakeen.Portal.Credits.ICreditQueries>(Credits);
        Services.AddSingleton<Datakeen.Portal.Usage.IKeyUsageQueries>(Usage);
        Services.AddSingleton<Datakeen.Portal.ApiKeys.Activity.IKeyActivityQueries>(Activity);
        Services.AddSingleton(Feed);
        Services.AddLogging();
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["BaseUrls:Test:JourneyApi"] = TestJourneyApi,
                ["BaseUrls:Test:DocumentsApi"] = TestDocumentsApi,
            })
            .Build();
        Services.AddApiDocsUi(configuration);
        // The islands resolve the workspace through WorkspaceContexts; each test hands it the context WorkspaceScope
        // would have resolved (Remember), so these two are never asked.
        Services.AddSingleton(new CurrentActor(null!, null!));
        Services.AddSingleton(new WorkspaceGuard(null!, null!, null!));
    }

    protected FakeApiKeyManager KeyManager { get; } = new FakeApiKeyManager().WithStandardKeys();
    protected FakeCreditQueries Credits { get; } = new();
    protected FakeKeyUsageQueries Usage { get; } = new();
    protected FakeKeyActivityQueries Activity { get; } = new();
    protected ChangeFeed Feed { get; } = new();
    protected Guid WorkspaceId { get; } = Guid.NewGuid();
    protected Actor Actor { get; } = new(Guid.NewGuid(), "Ada Admin", "127.0.0.1", "bUnit");

    // The context WorkspaceScope would cascade; the fake answers with the capabilities of the same role.
    protected WorkspaceContext Workspace(bool isAdmin = true) =>
        new(WorkspaceId, "Acme", "acme", isAdmin ? WorkspaceRole.Admin : WorkspaceRole.Member, Actor);

    // False renders the tab as prerendering does, before the circuit is interactive.
    protected bool Interactive { get; set; } = true;

    protected IRenderedComponent<ApiDocsTab> RenderTab(bool isAdmin = true)
    {
        Renderer.SetRendererInfo(new RendererInfo(Interactive ? "Server" : "Static", Interactive));
        KeyManager.CallerRole = isAdmin ? WorkspaceRole.Admin : WorkspaceRole.Member;
        Services.GetRequiredService<Datakeen.Portal.Components.Layout.WorkspaceContexts>().Remember(Workspace(isAdmin));
        _scope = Render<CascadingValue<WorkspaceContext>>(parameters => parameters
            .Add(p => p.Value, Workspace(isAdmin))
            .AddChildContent<ApiDocsTab>());
        return _scope.FindComponent<ApiDocsTab>();
    }

    // The caller's role changes in the database; the tab hears of a change to the workspace's keys and reloads them
    // (the key views carry what the caller's role allows).
    protected void ChangeRole(bool isAdmin)
    {
        KeyManager.CallerRole = isAdmin ? WorkspaceRole.Admin : WorkspaceRole.Member;
        var calls = KeyManager.ListCalls;
        Feed.Publish(ChangeFeed.KeyChannel, ChangePayload.For(WorkspaceId));
        _scope!.WaitForAssertion(() => Assert.True(KeyManager.ListCalls > calls));
    }

    // The tab is closed: its islands go, and the circuit's scope disposes the tab's state with it.
    protected async Task CloseTabAsync()
    {
        await DisposeComponentsAsync();
        Services.GetRequiredService<ApiDocsTabState>().Dispose();
    }

    private IRenderedComponent<CascadingValue<WorkspaceContext>>? _scope;

    // Dialogs render into the provider, not into the component that opened them.
    protected (IRenderedComponent<MudDialogProvider> Dialogs, IRenderedComponent<ApiDocsTab> Tab) RenderTabWithDialogs(
        bool isAdmin = true)
    {
        var dialogs = Render<MudDialogProvider>();
        return (dialogs, RenderTab(isAdmin));
    }

    protected static AngleSharp.Dom.IElement Button(IRenderedComponent<ApiDocsTab> tab, string accessibleName) =>
        tab.Find($"button[aria-label='{accessibleName}']");

    protected static bool HasButton(IRenderedComponent<ApiDocsTab> tab, string accessibleName) =>
        tab.FindAll($"button[aria-label='{accessibleName}']").Count > 0;

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();
}
