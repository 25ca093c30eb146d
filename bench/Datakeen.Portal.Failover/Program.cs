using System.Diagnostics;
using System.Globalization;
using Datakeen.Portal.Testing;
using Microsoft.Playwright;

// Browser-driven failover figures of `./run.sh --replicas 3` (bench/failover.sh, docs/benchmarks.md): TABS (50) open
// API & Docs tabs of admin@acme.test in CONTEXTS (5) signed-in browser contexts (each its own sticky cookie), then
// 1. SIGKILL of the instance that holds the first context's tabs: for each tab it held, the time from the kill until
//    the tab works again (it reloads itself, its revealed secret masked; the eye then reveals it), no click before;
// 2. `./run.sh restart` with every tab open: tabs resumed in place (same document), reloaded, lost (not working 30 s
//    after the restart ended).
// Prints key=value lines.
var tabCount = Setting("TABS", 50);
var contextCount = Setting("CONTEXTS", 5);
const string Reveal = "Reveal test secret key";
const string Hide = "Hide test secret key";
const string KeyShown =
    "() => /^dk_test_sk_[0-9A-Za-z]{38}$/.test(document.querySelector('[data-testid=\"key-test-secret\"]')?.textContent.trim() ?? '')";

var connectionString = await TestPostgres.CreateMigratedDatabaseAsync();
try
{
    await using var cluster = await PortalCluster.StartAsync(connectionString, 3, new Dictionary<string, string>
    {
        ["Logging__LogLevel__Default"] = "Warning",
    });
    using var playwright = await Playwright.CreateAsync();
    await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Environment.GetEnvironmentVariable("DATAKEEN_TEST_CHROMIUM") ?? "/usr/bin/chromium",
        Headless = true,
        Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });

    var tabs = new List<(IPage Page, string Instance)>();
    for (var c = 0; c < contextCount; c++)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = cluster.Entry.ToString() });
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var first = await context.NewPageAsync();
        await first.GotoAsync("/");
        await first.GetByLabel("Email").FillAsync("admin@acme.test");
        await first.GetByLabel("Password").FillAsync("demo");
        await first.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await first.WaitForURLAsync(url => url.StartsWith(cluster.Entry.ToString().TrimEnd('/'), StringComparison.Ordinal) && !url.Contains("signin", StringComparison.OrdinalIgnoreCase));
        var instance = (await context.APIRequest.GetAsync("/healthz")).Headers["x-portal-instance"];
        for (var t = 0; t < tabCount / contextCount; t++)
        {
            var page = t == 0 ? first : await context.NewPageAsync();
            await page.GotoAsync("/w/acme/api");
            await Button(page, Reveal).WaitForAsync();
            tabs.Add((page, instance));
        }
    }
    Console.WriteLine($"tabs_open={tabs.Count} instances_of_contexts={string.Join(",", tabs.Select(t => t.Instance).Distinct())}");

    // 1. SIGKILL.
    var victim = cluster.Instance(tabs[0].Instance);
    var held = tabs.Where(t => t.Instance == victim.Name).Select(t => t.Page).ToList();
    foreach (var page in held)
    {
        await RevealAsync(page);
    }
    var killed = Stopwatch.StartNew();
    PortalCluster.Kill(victim);
    var recoveries = await Task.WhenAll(held.Select(async page =>
    {
        try
        {
            await page.WaitForFunctionAsync("() => document.querySelector('[data-testid=\"key-test-secret\"]')?.textContent.includes('••••')",
                null, new() { Timeout = 60_000, PollingInterval = 50 });
            await RevealAsync(page);
            return killed.Elapsed.TotalMilliseconds;
        }
        catch (TimeoutException)
        {
            return double.NaN;
        }
    }));
    var back = recoveries.Where(r => !double.IsNaN(r)).Order().ToList();
    Console.WriteLine($"sigkill_instance={victim.Name} sigkill_tabs={held.Count} sigkill_tabs_back={back.Count}");
    if (back.Count > 0)
    {
        Console.WriteLine($"sigkill_back_p50_ms={back[back.Count / 2]:F0} sigkill_back_max_ms={back[^1]:F0}");
    }
    foreach (var page in held)
    {
        await Button(page, Hide).ClickAsync();
    }

    // 2. Rolling restart of the three instances with every tab open.
    foreach (var (page, _) in tabs)
    {
        await page.EvaluateAsync("window.__dkSameDocument = true");
    }
    var restart = Stopwatch.StartNew();
    await cluster.RollingRestartAsync();
    Console.WriteLine($"rolling_restart_s={restart.Elapsed.TotalSeconds:F0}");
    var outcomes = await Task.WhenAll(tabs.Select(async tab =>
    {
        var sameDocument = await tab.Page.EvaluateAsync<bool>("window.__dkSameDocument === true");
        try
        {
            await Button(tab.Page, Reveal).ClickAsync(new() { Timeout = 30_000 });
            await tab.Page.WaitForFunctionAsync(KeyShown, null, new() { Timeout = 30_000 });
            return sameDocument ? "resumed" : "reloaded";
        }
        catch (TimeoutException)
        {
            return "lost";
        }
    }));
    Console.WriteLine($"rolling_restart_tabs={tabs.Count} tabs_resumed_in_place={outcomes.Count(o => o == "resumed")} " +
        $"tabs_reloaded={outcomes.Count(o => o == "reloaded")} tabs_lost={outcomes.Count(o => o == "lost")}");
}
finally
{
    await TestPostgres.DropDatabaseAsync(connectionString);
}
return 0;

static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

static async Task RevealAsync(IPage page)
{
    await Button(page, Reveal).ClickAsync();
    await page.WaitForFunctionAsync(KeyShown, null, new() { Timeout = 60_000, PollingInterval = 50 });
}

static int Setting(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;
