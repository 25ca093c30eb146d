using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Production;

// The portal started the way docker-compose.yml starts a replica: environment Production; the OpenID Connect
// provider reached over plain http through Oidc:MetadataAddress with Oidc:RequireHttpsMetadata=false (and no
// ServiceApi settings: the service-token check must follow those two); a database migrated beforehand (the
// "migrate" service) and the replica connected as the least-privileged role that deploy/postgres/initdb creates,
// with Database:MigrateOnStartup=false; the key ring encrypted with a certificate; Redis; forwarded headers
// from a known proxy only (TlsFront plays the TLS front and nginx: browsers see https://portal.datakeen.example);
// demo data on (the compose demo overlay) so that demo users can sign in.
public sealed partial class ProductionStack : IAsyncLifetime
{
    private const string RolePassword = "datakeen-app-test";

    // The address browsers use, in front of the portal's plain-http listener.
    public static readonly Uri PublicAddress = new("https://portal.datakeen.example");

    private string _ownerConnectionString = "";
    private string _role = "";
    private TestRedis? _redis;

    public DevIdentityServer Identity { get; private set; } = null!;
    public PortalFactory Portal { get; private set; } = null!;
    public Uri PortalAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _ownerConnectionString = await TestPostgres.CreateMigratedDatabaseAsync();
        var appConnectionString = await CreateRuntimeRoleAsync(_ownerConnectionString);
        _redis = await TestRedis.StartAsync();
        Identity = await DevIdentityServer.StartAsync(
            $"--DevIdentity:Client:RedirectUris:0={PublicAddress}signin-oidc",
            $"--DevIdentity:Client:PostLogoutRedirectUris:0={PublicAddress}signout-callback-oidc");
        Portal = new PortalFactory(appConnectionString, new Dictionary<string, string?>
        {
            // PortalFactory says "Testing"; this host setting comes after it, as ASPNETCORE_ENVIRONMENT would.
            ["environment"] = "Production",
            ["Database:MigrateOnStartup"] = "false",
            ["Redis:Configuration"] = _redis.Configuration,
            ["Oidc:Authority"] = Identity.Authority,
            ["Oidc:MetadataAddress"] = Identity.Authority + "/.well-known/openid-configuration",
            ["Oidc:RequireHttpsMetadata"] = "false",
            ["Oidc:ClientId"] = "datakeen-portal",
            ["Oidc:ClientSecret"] = "datakeen-portal-dev-secret",
            ["ForwardedHeaders:KnownProxies"] = "127.0.0.1",
            ["Smtp:Host"] = "",
            ["DemoData:Enabled"] = "true",
            ["Logging:LogLevel:Default"] = "Warning",
            ["BaseUrls:Test:JourneyApi"] = "https://journey.sandbox.datakeen.example/backend",
            ["BaseUrls:Test:DocumentsApi"] = "https://documents.sandbox.datakeen.example/api",
        });
        PortalAddress = Portal.StartOnKestrel();
    }

    public async Task DisposeAsync()
    {
        if (Portal is not null)
        {
            await Portal.DisposeAsync();
        }
        if (Identity is not null)
        {
            await Identity.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        if (_ownerConnectionString.Length > 0)
        {
            await TestPostgres.DropDatabaseAsync(_ownerConnectionString);
        }
        if (_role.Length > 0)
        {
            await using var server = new NpgsqlConnection(TestPostgres.ServerConnectionString);
            await server.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP ROLE IF EXISTS \"{_role}\"", server);
            await drop.ExecuteNonQueryAsync();
        }
    }

    public Task<SignedInClient> SignInAsync(string email) =>
        OidcSignIn.SignInAsync(PublicAddress, email, transport: cookies => new TlsFront(PublicAddress, PortalAddress, cookies, "203.0.113.7"));

    // A client of the public address (through the front), without cookies of its own.
    public HttpClient Client() => new(new TlsFront(PublicAddress, PortalAddress, new System.Net.CookieContainer(), "203.0.113.8"))
    {
        BaseAddress = PublicAddress,
    };

    // Runs the statements of deploy/postgres/initdb/10-runtime-role.sh (the ones compose runs on the database's
    // first start) for a role of this test's own, and returns a connection string for it.
    private async Task<string> CreateRuntimeRoleAsync(string ownerConnectionString)
    {
        var script = await File.ReadAllTextAsync(RepositoryPaths.Project("deploy/postgres/initdb/10-runtime-role.sh"));
        var sql = SqlHeredoc().Match(script).Groups["sql"].Value;
        Assert.Contains("CREATE ROLE datakeen_app", sql, StringComparison.Ordinal);
        _role = $"dk_app_{Guid.NewGuid():N}"[..24];
        var owner = new NpgsqlConnectionStringBuilder(ownerConnectionString);
        sql = sql.Replace("datakeen_app", _role, StringComparison.Ordinal)
            .Replace(":'app_password'", $"'{RolePassword}'", StringComparison.Ordinal)
            .Replace(":\"db\"", $"\"{owner.Database}\"", StringComparison.Ordinal)
            .Replace(":\"owner\"", $"\"{owner.Username}\"", StringComparison.Ordinal);
        await using (var connection = new NpgsqlConnection(ownerConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(sql, connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(ownerConnectionString) { Username = _role, Password = RolePassword }.ConnectionString;
    }

    [GeneratedRegex(@"<<'SQL'\n(?<sql>.*?)\nSQL\n", RegexOptions.Singleline)]
    private static partial Regex SqlHeredoc();
}
