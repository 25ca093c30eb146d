using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.ApiDocs;

// "No lost clicks": a control that can be clicked is handled. Controls render disabled until the circuit is
// interactive, a lost connection shows the reconnect notice, and a tab whose circuit is gone reloads itself.
[Collection(PortalCollection.Name)]
public sealed class NoLostClicksTests(PortalEnvironment portal)
{
    // Clicks the button the moment the browser considers it enabled (checked on every DOM change, before any
    // Playwright actionability wait), and records that it did.
    private const string ClickTheInstantItIsEnabled = """
        (() => {
          const name = "Reveal test secret key";
          const observer = new MutationObserver(() => {
            const button = document.querySelector(`button[aria-label="${name}"]`);
            if (button && !button.matches(":disabled")) {
              observer.disconnect();
              window.__dkClicked = true;
              button.click();
            }
          });
          observer.observe(document, { subtree: true, childList: true, attributes: true });
        })();
        """;

    [Fact]
    public async Task A_click_on_reveal_the_instant_it_is_enabled_on_a_fresh_load_shows_the_key()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/w/acme/api");
        await page.AddInitScriptAsync(ClickTheInstantItIsEnabled);

        await page.GotoAsync("/w/acme/api");

        await Expect(new ApiDocsTabPage(page).Test.SecretKey.Value).ToHaveTextAsync(KeyPatterns.WholeKey);
        Assert.True(await page.EvaluateAsync<bool>("window.__dkClicked === true"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_prerendered_page_shows_every_control_disabled()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/w/acme/api");
        // The HTML as the browser first gets it, before any script runs.
        await page.RouteAsync("**/_framework/blazor.web*.js*", route => route.AbortAsync());

        await page.GotoAsync("/w/acme/api");

        var secretKey = new ApiDocsTabPage(page).Test.SecretKey;
        await Expect(secretKey.RevealButton).ToBeVisibleAsync();
        foreach (var button in new[] { secretKey.RevealButton, secretKey.CopyButton, secretKey.RotateButton,
                     page.GetByRole(AriaRole.Button, new() { Name = "Switch to dark theme" }) })
        {
            await Expect(button).ToBeDisabledAsync();
        }

        await Expect(page.GetByRole(AriaRole.Tab).First).ToBeDisabledAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_dropped_connection_shows_the_reconnect_notice_until_the_circuit_is_back()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/w/acme/api");
        var connections = new List<IWebSocketRoute>();
        var allowReconnect = new TaskCompletionSource();
        await page.RouteWebSocketAsync(new Regex("/_blazor"), async ws =>
        {
            int count;
            lock (connections)
            {
                connections.Add(ws);
                count = connections.Count;
            }

            if (count > 1)
            {
                await allowReconnect.Task;
            }

            ws.ConnectToServer();
        });
        await page.GotoAsync("/w/acme/api");
        var secretKey = new ApiDocsTabPage(page).Test.SecretKey;
        // The page becomes interactive when its circuit has started. Every frame of this page's WebSocket is relayed
        // through Playwright's driver (the route above), which on a loaded 2-core CI machine took longer than the
        // default 5 s once (a fresh-clone run, while other test classes ran in parallel).
        await Expect(secretKey.RevealButton).ToBeEnabledAsync(new() { Timeout = 20_000 });

        await connections[0].CloseAsync();

        var notice = page.GetByRole(AriaRole.Dialog, new() { Name = "Connection lost" });
        await Expect(notice).ToBeVisibleAsync();
        await Expect(notice).ToContainTextAsync("Reconnecting");
        await Screenshots.TakeAsync(page, "reconnect-notice");

        allowReconnect.SetResult();
        await Expect(notice).ToBeHiddenAsync(new() { Timeout = 30_000 });
        await secretKey.RevealAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task When_the_circuit_is_gone_the_page_reloads_by_itself_and_works()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/w/acme/api");
        var secretKey = new ApiDocsTabPage(page).Test.SecretKey;
        await Expect(secretKey.RevealButton).ToBeEnabledAsync();
        await page.EvaluateAsync("window.__dkBeforeReload = true");

        // What blazor.web.js raises when the server no longer knows this circuit and has no state to resume it from.
        await page.EvaluateAsync("""
            document.getElementById("components-reconnect-modal").dispatchEvent(
              new CustomEvent("components-reconnect-state-changed", { detail: { state: "rejected" } }))
            """);

        await page.WaitForFunctionAsync("window.__dkBeforeReload === undefined");
        await secretKey.RevealAsync();
        await page.Context.CloseAsync();
    }
}
