using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using System.Runtime;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Datakeen.Portal.CircuitLoad;

// The server side of the harness, in its own process so that the clients' objects never count in its heap:
// the real portal (Program) on Kestrel, the development OpenID Connect provider, a fresh migrated database,
// one workspace the demo admin belongs to. It answers commands on stdin with one JSON line each:
//   gc      full blocking compacting collection, then the managed heap, the RSS and the open circuits
//   census  the live components of the open circuits by type, per circuit (ComponentCensus)
//   footprint  what one circuit holds that another does not, by type (CircuitFootprint)
//   stats   the process CPU time, the bytes allocated, the gen0 collections and the database commands run so far, with
//           the commands' text (PortalCommands)
//   quit  stop everything and drop the database
// The circuit counter and these commands exist only in this harness host, never in the product.
internal static class ServeMode
{
    public const string Prefix = "@@harness ";

    public static async Task<int> RunAsync()
    {
        var connectionString = await TestPostgres.CreateMigratedDatabaseAsync();
        await using var identity = await DevIdentityServer.StartAsync();
        var settings = new Dictionary<string, string?>
        {
            ["Oidc:Authority"] = identity.Authority,
            ["Oidc:ClientId"] = "datakeen-portal",
            ["Oidc:ClientSecret"] = "datakeen-portal-dev-secret",
            ["DemoData:Enabled"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
            ["BaseUrls:Test:JourneyApi"] = "https://journey.sandbox.datakeen.example/backend",
            ["BaseUrls:Test:DocumentsApi"] = "https://documents.sandbox.datakeen.example/api",
        };
        // WebApplicationFactory finds the portal's content root from the test assembly's manifest; this is no test run.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_DATAKEEN_PORTAL", RepositoryPaths.Project("src/Datakeen.Portal"));
        var counter = new OpenCircuits();
        using var commands = new PortalCommands();
        await using var portal = new HarnessPortalFactory(connectionString, settings, counter);
        try
        {
            var address = portal.StartOnKestrel();
            var workspace = await TestWorkspaces.CreateAsync(portal, "Circuit load");
            await portal.Services.GetRequiredService<CreditLedger>().GrantAsync(workspace.Id, KeyEnvironment.Test, 980, "circuit load harness");

            // The demo admin signs in for real (cookie through the OpenID Connect code flow), then joins the
            // workspace as Admin so that the tab shows its keys, dialog and meter.
            var cookie = await SignInAsync(address, "admin@acme.test");
            await using (var db = portal.Services.GetRequiredService<IDbContextFactory<Data.PortalDbContext>>().CreateDbContext())
            {
                var user = await db.Users.SingleAsync(u => u.Email == "admin@acme.test");
                db.Memberships.Add(new Membership
                {
                    Id = Guid.NewGuid(),
                    WorkspaceId = workspace.Id,
                    UserId = user.Id,
                    Role = WorkspaceRole.Admin,
                    CreatedAt = DateTimeOffset.UtcNow,
                });
                await db.SaveChangesAsync();
            }

            Console.WriteLine(Prefix + JsonSerializer.Serialize(new ServerInfo(
                address.ToString().TrimEnd('/'), workspace.Slug, workspace.TestSecretKey, cookie, Environment.ProcessId)));

            while (Console.ReadLine() is { } command)
            {
                if (command == "gc")
                {
                    Console.WriteLine(Prefix + JsonSerializer.Serialize(Measure(counter)));
                }
                else if (command == "census")
                {
                    Console.WriteLine(Prefix + JsonSerializer.Serialize(ComponentCensus.Take(counter.Circuits)));
                }
                else if (command == "footprint")
                {
                    Console.WriteLine(Prefix + JsonSerializer.Serialize(CircuitFootprint.Take(counter.Circuits.First(), portal.Services)));
                }
                else if (command == "stats")
                {
                    Console.WriteLine(Prefix + JsonSerializer.Serialize(commands.Take()));
                }
                else if (command == "quit")
                {
                    break;
                }
            }
            return 0;
        }
        finally
        {
            await portal.DisposeAsync();
            await TestPostgres.DropDatabaseAsync(connectionString);
        }
    }

    // The browser's sign-in (as OidcSignIn does it), keeping the cookie jar: every circuit reuses the cookie.
    private static async Task<string> SignInAsync(Uri portal, string email)
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = portal };
        var form = await OidcSignIn.FollowAsync(client, await client.GetAsync("/authentication/login?returnUrl=%2F"), stopAfterCallback: false);
        var html = await form.Content.ReadAsStringAsync();
        var fields = Regex.Matches(html, "<input type=\"hidden\" name=\"(?<name>[^\"]+)\" value=\"(?<value>[^\"]*)\">")
            .Select(m => KeyValuePair.Create(WebUtility.HtmlDecode(m.Groups["name"].Value), WebUtility.HtmlDecode(m.Groups["value"].Value)))
            .Append(KeyValuePair.Create("email", email))
            .Append(KeyValuePair.Create("password", "demo"));
        var posted = await client.PostAsync(new Uri(form.RequestMessage!.RequestUri!, "/account/login"), new FormUrlEncodedContent(fields));
        await OidcSignIn.FollowAsync(client, posted, stopAfterCallback: true);
        return cookies.GetCookieHeader(portal);
    }

    private static HeapSample Measure(OpenCircuits counter)
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var heap = GC.GetTotalMemory(forceFullCollection: false);
        using var self = Process.GetCurrentProcess();
        return new HeapSample(heap, self.WorkingSet64, counter.Count);
    }
}

internal sealed record ServerInfo(string Url, string Slug, string Key, string Cookie, int Pid);

internal sealed record HeapSample(long Heap, long Rss, int Circuits);

internal sealed class OpenCircuits : CircuitHandler
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Circuit, byte> _open = new();

    public int Count => _open.Count;

    public IEnumerable<Circuit> Circuits => _open.Keys;

    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        _open.TryAdd(circuit, 0);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        _open.TryRemove(circuit, out _);
        return Task.CompletedTask;
    }
}

internal sealed class HarnessPortalFactory(string connectionString, IReadOnlyDictionary<string, string?> settings, OpenCircuits counter)
    : PortalFactory(connectionString, settings)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        // The fan-out run keeps hundreds of circuits open: the framework's per-circuit limits stay as shipped.
        builder.ConfigureServices(services => services.TryAddEnumerable(ServiceDescriptor.Singleton<CircuitHandler>(counter)));
    }
}

// The database commands the portal runs (Npgsql's ActivitySource: one activity per command or batch, i.e. per round
// trip) and the process CPU time, for "per page" figures: the harness takes them before and after the page run.
internal sealed class PortalCommands : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byText = new();
    private long _count;

    public PortalCommands()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Npgsql",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStopped = activity =>
            {
                Interlocked.Increment(ref _count);
                var text = activity.GetTagItem("db.query.text") as string ?? activity.GetTagItem("db.statement") as string ?? activity.DisplayName;
                _byText.AddOrUpdate(text.Length > 160 ? text[..160] : text, 1, (_, n) => n + 1);
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public CommandStats Take()
    {
        using var self = Process.GetCurrentProcess();
        return new CommandStats(Interlocked.Read(ref _count), self.TotalProcessorTime.TotalMilliseconds, new Dictionary<string, int>(_byText),
            GC.GetTotalAllocatedBytes(precise: false), GC.CollectionCount(0));
    }

    public void Dispose() => _listener.Dispose();
}

internal sealed record CommandStats(long Commands, double CpuMs, Dictionary<string, int> ByText, long AllocatedBytes, int Gen0Collections);
