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

    private static string LogoutToken(SecurityKey key, string sid, bool withEvent = true)
    {
        var claims = new Dictionary<string, object>
        {
            ["sid"] = sid,
            ["jti"] = Guid.NewGuid().ToString("N"),
        };
        if (withEvent)
        {
            claims["events"] = JsonDocument.Parse("""{"http://schemas.openid.net/event/backchannel-logout":{}}""").RootElement;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "datakeen-portal",
            IssuedAt = DateTime.UtcNow,
            Claims = claims,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
        });
    }

    private sealed class ProviderPortal(string connectionString) : PortalFactory(connectionString, new Dictionary<string, string?>
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
                    var configuration = new OpenIdConnectConfiguration { Issuer = Issuer };
                    configuration.SigningKeys.Add(new RsaSecurityKey(ProviderKey.Rsa.ExportParameters(false)) { KeyId = "provider-key" });
                    options.Configuration = configuration;
                    options.ConfigurationManager = new StaticConfigurationManager<OpenIdConnectConfiguration>(configuration);
                }));
        }
    }
}
