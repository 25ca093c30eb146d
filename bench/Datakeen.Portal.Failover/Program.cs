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
// Prints key=value lines, and for the SIGKILL each tab's timeline (timeline.js, ms after the kill) with the median of each
// step, and nginx's access-log lines of those seconds (request time, upstream, connect time).
var tabCount = Setting("TABS", 50);
var contextCount = Setting("CONTEXTS", 5);
var rollingRestart = Setting("ROLLING_RESTART", 1) != 0;
const string Reveal = "Reveal test secret key";
const string Hide = "Hide test secret key";
const string KeyShown =
    "() => /^dk_test_sk_[0-9A-Za-z]{38}$/.test(document.querySelector('[data-testid=\"key-test-secret\"]')?.textContent.trim() ?? '')";

var timeline = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "timeline.js"));
var connectionString = await TestPostgres.CreateMigratedDatabaseAsync();
try
{
    await using var cluster = await PortalCluster.StartAsync(connectionString, 3, new Dictionary<string, string>
    {
        ["Logging__LogLevel__Default"] = "Warning",
    });
    using var playwright = await Playwright.CreateAsync();
    // BROWSERS (1): the contexts share that many Chromium processes, round robin. One browser opens WebSockets to one host
    // one at a time (RFC 6455), so its tabs queue their reconnects; people in their own browsers do not.
    var browsers = new List<IBrowser>();
    for (var b = 0; b < Math.Clamp(Setting("BROWSERS", 1), 1, contextCount); b++)
    {
        browsers.Add(await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("DATAKEEN_TEST_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        }));
    }

    var tabs = new List<(IPage Page, string Instance)>();
    // Each page's console errors and warnings, printed for the tabs a rolling restart loses (what ended them).
    var consoles = new System.Collections.Concurrent.ConcurrentDictionary<IPage, System.Collections.Concurrent.ConcurrentQueue<string>>();
    void Listen(IPage page)
    {
        var lines = consoles.GetOrAdd(page, _ => new());
        page.Console += (_, message) =>
        {
            if (message.Type is "error" or "warning")
            {
                lines.Enqueue(message.Text.Length > 300 ? message.Text[..300] : message.Text);
            }
        };
    }
    for (var c = 0; c < contextCount; c++)
    {
        var context = await browsers[c % browsers.Count].NewContextAsync(new BrowserNewContextOptions { BaseURL = cluster.Entry.ToString() });
        await context.AddInitScriptAsync(timeline);
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
            Listen(page);
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
    foreach (var page in held)
    {
        await page.EvaluateAsync("sessionStorage.removeItem('dk-timeline')");
    }
    var killedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    var portalPids = cluster.Instances.Select(i => i.Pid).ToList();
    var cpuAtKill = ProcessCpu.Now(portalPids);
    var killed = Stopwatch.StartNew();
    PortalCluster.Kill(victim);
    // Where the CPU went while the tabs came back: the machine read every 500 ms, so the share until the last eye was
    // enabled (known only from the tabs' timelines, afterwards) can be told from the share until the last reveal.
    using var recovered = new CancellationTokenSource();
    var cpuSamples = new List<(double Ms, ProcessCpu Cpu)>();
    var sampling = Task.Run(async () =>
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await tick.WaitForNextTickAsync(recovered.Token))
            {
                lock (cpuSamples)
                {
                    cpuSamples.Add((killed.Elapsed.TotalMilliseconds, ProcessCpu.Now(portalPids)));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The last tab is back.
        }
    });
    var recoveries = await Task.WhenAll(held.Select(async page =>
    {
        try
        {
            // A locator's wait (in the page, across the reload): polling 20 tabs from here every 50 ms loaded the browser.
            await page.GetByTestId("key-test-secret").Filter(new() { HasText = "••••" }).WaitForAsync(new() { Timeout = 60_000 });
            var eyeClicked = killed.Elapsed.TotalMilliseconds;
            await RevealAsync(page);
            return (Back: killed.Elapsed.TotalMilliseconds, EyeClicked: eyeClicked);
        }
        catch (TimeoutException)
        {
            return (Back: double.NaN, EyeClicked: double.NaN);
        }
    }));
    var cpuAtBack = ProcessCpu.Now(portalPids);
    await recovered.CancelAsync();
    await sampling;
    var back = recoveries.Select(r => r.Back).Where(r => !double.IsNaN(r)).Order().ToList();
    Console.WriteLine($"sigkill_instance={victim.Name} sigkill_tabs={held.Count} sigkill_tabs_back={back.Count}");
    if (back.Count > 0)
    {
        Console.WriteLine($"sigkill_back_p50_ms={back[back.Count / 2]:F0} sigkill_back_max_ms={back[^1]:F0}");
    }
    var enabled = (await PrintTimelinesAsync(held, recoveries.Select(r => (r.EyeClicked, r.Back)).ToList(), killedAt)).Order().ToList();
    if (enabled.Count > 0)
    {
        // The tab works again: its eye is enabled (the island's circuit is up); the figure above adds the harness's click.
        Console.WriteLine($"sigkill_enabled_p50_ms={enabled[enabled.Count / 2]:F0} sigkill_enabled_max_ms={enabled[^1]:F0}");
        // CPU seconds by kind of process from the kill until the last eye was enabled (the first reading after it): with
        // every tab in one Chromium on the portal's two cores, how much of the machine the browser took (docs/benchmarks.md).
        var untilEnabled = cpuSamples.FirstOrDefault(s => s.Ms >= enabled[^1]).Cpu ?? cpuAtBack;
        Console.WriteLine($"sigkill_cpu_until_enabled {untilEnabled.Since(cpuAtKill)}");
    }
    Console.WriteLine($"sigkill_cpu_until_back {cpuAtBack.Since(cpuAtKill)}");
    PrintAccessLog(cluster, killedAt, back.Count > 0 ? back[^1] : 60_000);
    foreach (var page in held)
    {
        await Button(page, Hide).ClickAsync();
    }

    // 2. Rolling restart of the three instances with every tab open (ROLLING_RESTART=0 skips it).
    if (!rollingRestart)
    {
        return 0;
    }
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
    for (var i = 0; i < tabs.Count; i++)
    {
        if (outcomes[i] == "lost" && consoles.TryGetValue(tabs[i].Page, out var lines))
        {
            Console.WriteLine($"lost_tab_{i} ({tabs[i].Instance}) console: {string.Join(" | ", lines.TakeLast(6))}");
        }
    }
    Console.WriteLine($"rolling_restart_tabs={tabs.Count} tabs_resumed_in_place={outcomes.Count(o => o == "resumed")} " +
        $"tabs_reloaded={outcomes.Count(o => o == "reloaded")} tabs_lost={outcomes.Count(o => o == "lost")}");
}
finally
{
    await TestPostgres.DropDatabaseAsync(connectionString);
}
return 0;

// Each tab's events in ms after the kill, "@1" for the second document (the reload), then the median of each step.
// Returns when each tab's eye was enabled again.
static async Task<List<double>> PrintTimelinesAsync(List<IPage> pages, List<(double EyeClicked, double Back)> harness, long killedAt)
{
    var steps = new Dictionary<string, List<double>>();
    var order = new List<string>();
    for (var i = 0; i < pages.Count; i++)
    {
        using var json = System.Text.Json.JsonDocument.Parse(await pages[i].EvaluateAsync<string>("sessionStorage.getItem('dk-timeline') ?? '[]'"));
        var events = json.RootElement.EnumerateArray().Select(e => e.EnumerateArray().ToArray()).ToList();
        var documents = 0;
        var line = new List<string>();
        var seen = new HashSet<string>();
        foreach (var e in events)
        {
            var name = e[0].GetString()!;
            if (name == "document")
            {
                documents++;
            }
            var step = documents <= 1 ? name : $"{name}@{documents - 1}";
            var at = e[1].GetInt64() - killedAt;
            line.Add(FormattableString.Invariant($"{step}={at}"));
            if (seen.Add(step))
            {
                if (!steps.TryGetValue(step, out var list))
                {
                    steps[step] = list = [];
                    order.Add(step);
                }
                list.Add(at);
            }
        }
        line.Add(FormattableString.Invariant($"eye-clicked={harness[i].EyeClicked:F0} revealed={harness[i].Back:F0}"));
        Console.WriteLine($"timeline_tab_{i}: {string.Join(' ', line)}");
    }
    foreach (var (name, values) in new[] { ("eye-clicked", harness.Select(h => h.EyeClicked)), ("revealed", harness.Select(h => h.Back)) })
    {
        steps[name] = values.Where(v => !double.IsNaN(v)).ToList();
        order.Add(name);
    }
    Console.WriteLine("timeline_median_ms: " + string.Join(' ', order
        .Where(step => steps[step].Count > 0)
        .OrderBy(step => Median(steps[step]))
        .Select(step => FormattableString.Invariant($"{step}={Median(steps[step]):F0}({steps[step].Count})"))));

    return steps.TryGetValue("eye-enabled", out var enabled) ? enabled : [];

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

// nginx's access log (scripts/cluster.sh's format: $msec first) from the kill until the last tab was back.
static void PrintAccessLog(PortalCluster cluster, long killedAt, double untilMs)
{
    var log = Path.Combine(cluster.DataDirectory, "nginx", "logs", "access.log");
    if (!File.Exists(log))
    {
        return;
    }
    foreach (var entry in File.ReadLines(log))
    {
        var fields = entry.Split(' ', 2);
        if (fields.Length == 2 && double.TryParse(fields[0], CultureInfo.InvariantCulture, out var seconds))
        {
            var at = seconds * 1000 - killedAt;
            if (at >= 0 && at <= untilMs + 1000)
            {
                Console.WriteLine(FormattableString.Invariant($"nginx +{at:F0} {fields[1]}"));
            }
        }
    }
}

static ILocator Button(IPage page, string name) => page.GetByRole(AriaRole.Button, new() { Name = name, Exact = true });

static async Task RevealAsync(IPage page)
{
    await Button(page, Reveal).ClickAsync();
    await page.WaitForFunctionAsync(KeyShown, null, new() { Timeout = 60_000 });
}

static int Setting(string name, int fallback) =>
    int.TryParse(Environment.GetEnvironmentVariable(name), CultureInfo.InvariantCulture, out var value) ? value : fallback;
