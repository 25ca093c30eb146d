using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.EndToEndTests.Cluster;

// `./run.sh --replicas 3` on a fresh migrated database (demo workspaces on), headless Chromium pointed at
// its nginx entry, and a portal host of the test's own on the same database to create workspaces and
// grants the way the product does (it is one more instance for the others: its changes reach them only
// through PostgreSQL, like any instance's).
public class ClusterEnvironment : IAsyncLifetime
{
    public const int Replicas = 3;

    // The per-key limit the cluster runs with, small enough to exhaust quickly through nginx.
    public const int RequestsPerMinutePerKey = 300;

    public const int FailedAttemptsPerMinute = 20;

    private IPlaywright? _playwright;
    private PortalFactory? _host;

    public string ConnectionString { get; private set; } = "";
    public PortalCluster Cluster { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public IServiceProvider Services => _host!.Services;

    public async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateMigratedDatabaseAsync();
        // The tests rotate one workspace's keys fifty times (through this host): above the per-workspace hourly limit.
        _host = new PortalFactory(ConnectionString, new Dictionary<string, string?> { ["ApiKeys:RotationsPerHourPerWorkspace"] = "1000" });
        _ = _host.Services;
        Cluster = await PortalCluster.StartAsync(ConnectionString, Replicas, new Dictionary<string, string>
        {
            ["ApiKeys__RequestsPerMinutePerKey"] = RequestsPerMinutePerKey.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ApiKeys__FailedAttemptsPerMinute"] = FailedAttemptsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
            // The hand-offs and the rotation dialog's persisted state, for a failure's output.
            ["Logging__LogLevel__Datakeen.Portal.Hosting.CircuitHandoff"] = "Information",
            ["Logging__LogLevel__Datakeen.Portal.Components.Pages.ApiDocs"] = "Information",
        });
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("DATAKEEN_TEST_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        if (ConnectionString.Length > 0)
        {
            await TestPostgres.DropDatabaseAsync(ConnectionString);
        }
    }

    public Task<TestWorkspace> CreateWorkspaceAsync() => TestWorkspaces.CreateAsync(Services);

    public async Task GrantAsync(Guid workspaceId, KeyEnvironment environment, long amount)
    {
        using var scope = Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<CreditLedger>().GrantAsync(workspaceId, environment, amount, "cluster test");
    }

    // A browser tab on the entry point, signed in through the provider's real form.
    public async Task<IPage> SignInAsync(string email)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Cluster.Entry.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        var page = await context.NewPageAsync();
        // Each instance and the provider serve their first sign-in cold (JIT) on a shared 2-core machine.
        page.SetDefaultNavigationTimeout(90_000);
        page.SetDefaultTimeout(60_000);
        await page.GotoAsync("/");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(PortalEnvironment.DemoPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(Cluster.Entry.ToString().TrimEnd('/'))));
        return page;
    }

    // The instance nginx sends this browser's pages and circuit to (its sticky cookie rides along).
    public static async Task<string> InstanceOfAsync(IPage page)
    {
        var response = await page.Context.APIRequest.GetAsync("/healthz");
        return response.Headers["x-portal-instance"];
    }

    public static HttpRequestMessage WhoAmI(string key, string? client = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/whoami");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (client is not null)
        {
            // Instances trust X-Forwarded-For (only nginx on loopback reaches them): a client of its own
            // keeps a test's failed attempts out of every other test's failure budget.
            request.Headers.Add("X-Forwarded-For", client);
        }
        return request;
    }

    private static int _clients;

    // A documentation address (RFC 5737) of its own for each call.
    public static string NewClientAddress()
    {
        var n = Interlocked.Increment(ref _clients);
        return $"198.51.{100 + (n / 250 % 50)}.{1 + (n % 250)}";
    }
}

public sealed class ClusterFailoverEnvironment : ClusterEnvironment;

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterEnvironment>
{
    public const string Name = "Cluster";
}

[CollectionDefinition(Name)]
public sealed class ClusterFailoverCollection : ICollectionFixture<ClusterFailoverEnvironment>
{
    public const string Name = "ClusterFailover";
}
