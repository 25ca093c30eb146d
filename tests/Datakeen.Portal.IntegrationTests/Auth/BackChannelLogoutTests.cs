using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Datakeen.Portal.IntegrationTests.Auth;

// The provider's back-channel logout ends the sessions it names, and only with a token it really signed.
// The test host plays the provider's part through its own registrations: its discovery document is
// replaced by one whose signing key the test holds.
public sealed class BackChannelLogoutTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    private const string Issuer = "https://provider.example/";
    private static readonly RsaSecurityKey ProviderKey = new(RSA.Create(2048)) { KeyId = "provider-key" };

    [Fact]
    public async Task A_signed_logout_token_naming_the_provider_session_ends_only_that_session()
    {
        await using var portal = new ProviderPortal(database.ConnectionString);
        using var client = portal.CreateClient();
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var ended = await StoreSessionAsync(portal, workspace.Admin.UserId, "provider-session-1");
        var kept = await StoreSessionAsync(portal, workspace.Admin.UserId, "provider-session-2");

        using var response = await PostAsync(client, LogoutToken(ProviderKey, sid: "provider-session-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = database.CreateDbContext();
        Assert.NotNull((await db.UserSessions.SingleAsync(s => s.Id == ended)).RevokedAt);
        Assert.Null((await db.UserSessions.SingleAsync(s => s.Id == kept)).RevokedAt);
    }

    [Fact]
    public async Task A_token_not_signed_by_the_provider_or_without_the_logout_event_ends_nothing()
    {
        await using var portal = new ProviderPortal(database.ConnectionString);
        using var client = portal.CreateClient();
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var session = await StoreSessionAsync(portal, workspace.Admin.UserId, "provider-session-3");
        var forger = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "provider-key" };

        using var forged = await PostAsync(client, LogoutToken(forger, sid: "provider-session-3"));
        using var noEvent = await PostAsync(client, LogoutToken(ProviderKey, sid: "provider-session-3", withEvent: false));
        using var empty = await PostAsync(client, "");

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noEvent.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        await using var db = database.CreateDbContext();
        Assert.Null((await db.UserSessions.SingleAsync(s => s.Id == session)).RevokedAt);
    }

    public static TheoryData<string> Refused =>
    [
        "wrong issuer", "wrong audience", "a nonce", "no iat", "no exp", "no jti", "iat too old", "HS256", "unsigned",
    ];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task A_logout_token_breaking_a_rule_of_the_spec_ends_nothing(string rule)
    {
        await using var portal = new ProviderPortal(database.ConnectionString);
        using var client = portal.CreateClient();
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var sid = "provider-session-" + Guid.NewGuid().ToString("N");
        var session = await StoreSessionAsync(portal, workspace.Admin.UserId, sid);
        var token = rule switch
        {
            "wrong issuer" => LogoutToken(ProviderKey, sid, issuer: "https://elsewhere.example/"),
            "wrong audience" => LogoutToken(ProviderKey, sid, audience: "another-client"),
            "a nonce" => LogoutToken(ProviderKey, sid, extra: ("nonce", "n-0S6_WzA2Mj")),
            "no iat" => LogoutToken(ProviderKey, sid, withIat: false),
            "no exp" => LogoutToken(ProviderKey, sid, withExp: false),
            "no jti" => LogoutToken(ProviderKey, sid, jti: null),
            "iat too old" => LogoutToken(ProviderKey, sid, issuedAt: DateTime.UtcNow.AddMinutes(-30)),
            "HS256" => LogoutToken(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)) { KeyId = "provider-key" }, sid),
            "unsigned" => LogoutToken(null, sid),
            _ => throw new ArgumentOutOfRangeException(nameof(rule)),
        };

        using var response = await PostAsync(client, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = database.CreateDbContext();
        Assert.Null((await db.UserSessions.SingleAsync(s => s.Id == session)).RevokedAt);
    }

    [Fact]
    public async Task A_replayed_logout_token_is_refused_by_every_instance()
    {
        await using var first = new ProviderPortal(database.ConnectionString);
        await using var second = new ProviderPortal(database.ConnectionString);
        using var firstClient = first.CreateClient();
        using var secondClient = second.CreateClient();
        var workspace = await TestWorkspaces.CreateAsync(first);
        var token = LogoutToken(ProviderKey, sid: "provider-session-replayed");

        using var accepted = await PostAsync(firstClient, token);
        // The same token again, later, naming a session that now exists: to the same instance and to another one.
        var session = await StoreSessionAsync(first, workspace.Admin.UserId, "provider-session-replayed");
        using var again = await PostAsync(firstClient, token);
        using var elsewhere = await PostAsync(secondClient, token);

        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, elsewhere.StatusCode);
        await using var db = database.CreateDbContext();
        Assert.Null((await db.UserSessions.SingleAsync(s => s.Id == session)).RevokedAt);
    }

    [Fact]
    public async Task A_token_signed_by_a_key_the_provider_has_just_published_is_accepted_after_one_refresh()
    {
        var rotated = new RsaSecurityKey(RSA.Create(2048)) { KeyId = "rotated-key" };
        var provider = new RotatingProvider(rotated);
        await using var portal = new ProviderPortal(database.ConnectionString, provider);
        using var client = portal.CreateClient();
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var session = await StoreSessionAsync(portal, workspace.Admin.UserId, "provider-session-rotated");

        using var response = await PostAsync(client, LogoutToken(rotated, sid: "provider-session-rotated"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, provider.Refreshes);
        await using var db = database.CreateDbContext();
        Assert.NotNull((await db.UserSessions.SingleAsync(s => s.Id == session)).RevokedAt);
    }

    private static async Task<Guid> StoreSessionAsync(PortalFactory portal, Guid userId, string providerSessionId)
    {
        await using (var db = TestPostgres.CreateDbContext(portal.ConnectionString))
        {
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u.SetProperty(x => x.Issuer, Issuer));
        }

        var ticket = new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(
        [
            new Claim(PortalClaims.UserId, userId.ToString()),
            new Claim(PortalClaims.ProviderSessionId, providerSessionId),
        ], "test")), "Cookies");
        return Guid.ParseExact(await portal.Services.GetRequiredService<SessionTicketStore>().StoreAsync(ticket), "N");
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string token) =>
        client.PostAsync(BackChannelLogout.Path, new FormUrlEncodedContent([KeyValuePair.Create("logout_token", token)]));

    private static string LogoutToken(SecurityKey? key, string sid, bool withEvent = true, string issuer = Issuer,
        string audience = "datakeen-portal", bool withIat = true, bool withExp = true, string? jti = "new",
        DateTime? issuedAt = null, (string Name, string Value)? extra = null)
    {
        var iat = issuedAt ?? DateTime.UtcNow;
        var claims = new Dictionary<string, object> { ["sid"] = sid };
        if (jti is not null)
        {
            claims["jti"] = Guid.NewGuid().ToString("N");
        }
        if (withEvent)
        {
            claims["events"] = JsonDocument.Parse("""{"http://schemas.openid.net/event/backchannel-logout":{}}""").RootElement;
        }
        if (extra is { } claim)
        {
            claims[claim.Name] = claim.Value;
        }

        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = withIat ? iat : null,
            Expires = withExp ? iat.AddMinutes(2) : null,
            Claims = claims,
            SigningCredentials = key switch
            {
                null => null,
                SymmetricSecurityKey => new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
                _ => new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
            },
        });
    }

    // A provider whose published keys gain `rotated` when the portal asks it to refresh.
    private sealed class RotatingProvider(RsaSecurityKey rotated) : IConfigurationManager<OpenIdConnectConfiguration>
    {
        private OpenIdConnectConfiguration _current = Configuration(ProviderKey);

        public int Refreshes { get; private set; }

        public Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel) => Task.FromResult(_current);

        public void RequestRefresh()
        {
            Refreshes++;
            _current = Configuration(ProviderKey, rotated);
        }
    }

    private static OpenIdConnectConfiguration Configuration(params RsaSecurityKey[] keys)
    {
        var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
        foreach (var key in keys)
        {
            configuration.SigningKeys.Add(new RsaSecurityKey(key.Rsa.ExportParameters(false)) { KeyId = key.KeyId });
        }
        return configuration;
    }

    private sealed class ProviderPortal(string connectionString, IConfigurationManager<OpenIdConnectConfiguration>? provider = null)
        : PortalFactory(connectionString, new Dictionary<string, string?>
    {
        ["Oidc:Authority"] = Issuer,
        ["Oidc:ClientId"] = "datakeen-portal",
        ["Oidc:ClientSecret"] = "unused",
    })
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.PostConfigure<OpenIdConnectOptions>(
                AuthServiceCollectionExtensions.OidcScheme, options =>
                {
                    var configuration = Configuration(ProviderKey);
                    options.Configuration = configuration;
                    options.ConfigurationManager = provider ?? new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
                }));
        }
    }
}
