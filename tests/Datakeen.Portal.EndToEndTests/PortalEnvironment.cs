using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;

namespace Datakeen.Portal.EndToEndTests;

// The whole product for a browser: a fresh migrated database, the development OpenID Connect provider
// and the portal on loopback ports (demo workspaces acme and globex), and headless Chromium.
// Shared by every test class of the "Portal" collection; each test opens its own browser context.
public class PortalEnvironment : PortalStack
{
    public const string DemoPassword = "demo";

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    // The demo admins create a workspace in many tests of this shared environment: more than a person may a day.
    protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
    {
        ["Workspaces:CreationLimits:PerDay"] = "1000",
        ["Workspaces:CreationLimits:Total"] = "1000",
    };

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            // Browser downloads are impossible here: use the system Chromium.
            ExecutablePath = Environment.GetEnvironmentVariable("DATAKEEN_TEST_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run",
            ],
        });
    }

    public override async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await base.DisposeAsync();
    }

    // A fresh browser context (no cookies) and a page whose relative URLs go to the portal.
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = PortalAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
        });
        return await context.NewPageAsync();
    }

    // Signs in through the provider's real form, starting from `path`, and returns once the browser is back on the
    // portal. No readiness marker: the portal's controls stay disabled until they work, and Playwright clicks a
    // control as soon as it is enabled, as a user does.
    public async Task SignInAsync(IPage page, string email, string password = DemoPassword, string path = "/")
    {
        await page.GotoAsync(path);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("^" + Regex.Escape(PortalAddress.ToString().TrimEnd('/'))));
    }

    public bool IsOnProvider(IPage page) => page.Url.StartsWith(Identity.Authority, StringComparison.Ordinal);
}

[CollectionDefinition(Name)]
public sealed class PortalCollection : ICollectionFixture<PortalEnvironment>
{
    public const string Name = "Portal";
}
