using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.ServiceApi;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;

namespace Datakeen.Portal.IntegrationTests.ServiceApi;

// Tokens a forger can make, against the real development provider and its real signing key identifier: every
// one is refused with 401 invalid_service_token (never authenticated, so never even a 403).
public sealed class ServiceTokenForgeryTests(ServiceTokenForgeryTests.Stack stack) : IClassFixture<ServiceTokenForgeryTests.Stack>
{
    public sealed class Stack : PortalStack
    {
        public static readonly RsaSecurityKey TrustedKey = new(System.Security.Cryptography.RSA.Create(2048)) { KeyId = "test-trusted" };

        protected override void ConfigureTestServices(IServiceCollection services) =>
            services.PostConfigure<JwtBearerOptions>(ServiceTokenAuthentication.Scheme, options =>
                options.TokenValidationParameters.IssuerSigningKeys =
                    [new RsaSecurityKey(TrustedKey.Rsa.ExportParameters(false)) { KeyId = TrustedKey.KeyId }]);

        // A second service client with the verify scope and the API's audience, which is not on the allow-list.
        protected override string[] ExtraIdentityArgs =>
        [
            "--DevIdentity:ServiceClients:1:ClientId=datakeen-stranger",
            "--DevIdentity:ServiceClients:1:ClientSecret=datakeen-stranger-secret",
            "--DevIdentity:ServiceClients:1:Scopes:0=datakeen.keys.verify",
            "--DevIdentity:ServiceClients:1:Audience=datakeen-portal-api",
        ];
    }

    public static TheoryData<string> Forgeries =>
    [
        "wrong issuer", "wrong audience", "the portal's client id as audience", "alg none", "HS256 with the public key",
        "nbf in the future", "no exp", "bad signature under the real kid", "not a typed access token",
    ];

    [Fact]
    public async Task The_gateways_own_token_passes()
    {
        using var response = await VerifyAsync(await ServiceTokens.RequestAsync(stack.Identity));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Trusted_claims_pass()
    {
        var provider = await ProviderAsync();

        using var response = await VerifyAsync(await RealTokenWith(Claims(provider), _ => { }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task A_forged_token_is_401(string forgery)
    {
        var provider = await ProviderAsync();
        var claims = Claims(provider);
        var header = new Dictionary<string, object> { ["typ"] = "at+jwt", ["kid"] = provider.KeyId };
        var token = forgery switch
        {
            "wrong issuer" => await RealTokenWith(claims, c => c["iss"] = "https://issuer.example/"),
            "wrong audience" => await RealTokenWith(claims, c => c["aud"] = "someone-else"),
            "the portal's client id as audience" => await RealTokenWith(claims, c => c["aud"] = "datakeen-portal"),
            "alg none" => Unsigned(new Dictionary<string, object>(header) { ["alg"] = "none" }, claims),
            "HS256 with the public key" => Hs256WithPublicKey(provider, claims),
            "nbf in the future" => await RealTokenWith(claims, c => c["nbf"] = Now() + 3600),
            "no exp" => await RealTokenWith(claims, c => c.Remove("exp")),
            "bad signature under the real kid" => await BadSignatureAsync(),
            "not a typed access token" => await RealTokenWith(claims, c => c["typ"] = "ID"),
            _ => throw new ArgumentOutOfRangeException(nameof(forgery)),
        };

        using var response = await VerifyAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_service_token", await ServiceApiFixture.ProblemCodeAsync(response));
    }

    [Fact]
    public async Task A_users_id_token_of_the_provider_is_not_a_service_token()
    {
        using var signedIn = await stack.SignInAsync("admin@acme.test");
        await using var db = stack.CreateDbContext();
        var session = await db.UserSessions.AsNoTracking().Where(s => s.User!.Email == "admin@acme.test")
            .OrderByDescending(s => s.CreatedAt).FirstAsync();
        var ticket = await stack.Service<SessionTicketStore>().RetrieveAsync(session.Id.ToString("N"));
        var idToken = ticket!.Properties.GetTokenValue("id_token");
        Assert.NotNull(idToken);

        using var response = await VerifyAsync(idToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_service_token", await ServiceApiFixture.ProblemCodeAsync(response));
    }

    [Fact]
    public async Task A_real_access_token_of_a_client_not_on_the_allow_list_is_401()
    {
        var token = await ServiceTokens.RequestAsync(stack.Identity, "datakeen-stranger", "datakeen-stranger-secret");

        using var response = await VerifyAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    // The claim variants are signed by a key the test host adds to the provider's (Stack), so that each is
    // refused for its claim alone: the same token with the right claims passes (Trusted_claims_pass).
    private static Task<string> RealTokenWith(Dictionary<string, object> claims, Action<Dictionary<string, object>> edit)
    {
        var edited = new Dictionary<string, object>(claims);
        edit(edited);
        return Task.FromResult(Sign(Stack.TrustedKey, edited));
    }

    private static string Sign(SecurityKey key, Dictionary<string, object> claims)
    {
        var header = Base64UrlEncoder.Encode(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["alg"] = key is SymmetricSecurityKey ? "HS256" : "RS256", ["typ"] = "at+jwt", ["kid"] = key.KeyId,
        }));
        var payload = Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims));
        var provider = CryptoProviderFactory.Default.CreateForSigning(key,
            key is SymmetricSecurityKey ? SecurityAlgorithms.HmacSha256 : SecurityAlgorithms.RsaSha256);
        var signature = provider.Sign(Encoding.ASCII.GetBytes(header + "." + payload));
        CryptoProviderFactory.Default.ReleaseSignatureProvider(provider);
        return $"{header}.{payload}.{Base64UrlEncoder.Encode(signature)}";
    }

    private static string Unsigned(Dictionary<string, object> header, Dictionary<string, object> claims) =>
        $"{Base64UrlEncoder.Encode(JsonSerializer.Serialize(header))}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims))}.";

    // The classic key-confusion attack: the provider's public key (its JWK, as anyone can fetch it) as an HMAC secret.
    private static string Hs256WithPublicKey(Provider provider, Dictionary<string, object> claims)
    {
        return Sign(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(provider.PublicJwk)) { KeyId = provider.KeyId }, claims);
    }

    // The gateway's real token with one signature byte changed.
    private async Task<string> BadSignatureAsync()
    {
        var token = await ServiceTokens.RequestAsync(stack.Identity);
        var parts = token.Split('.');
        var signature = Base64UrlEncoder.DecodeBytes(parts[2]);
        signature[10] ^= 0x01;
        return $"{parts[0]}.{parts[1]}.{Base64UrlEncoder.Encode(signature)}";
    }

    private async Task<HttpResponseMessage> VerifyAsync(string token)
    {
        var workspace = await TestWorkspaces.CreateAsync(stack.Portal);
        using var client = stack.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.PostAsJsonAsync("/api/v1/keys/verify", new { key = workspace.TestSecretKey });
    }

    private sealed record Provider(string Issuer, string KeyId, string PublicJwk);

    private async Task<Provider> ProviderAsync()
    {
        using var http = new HttpClient { BaseAddress = stack.Identity.Address };
        var discovery = await http.GetFromJsonAsync<JsonElement>("/.well-known/openid-configuration");
        var jwks = await http.GetFromJsonAsync<JsonElement>(discovery.GetProperty("jwks_uri").GetString());
        var key = jwks.GetProperty("keys").EnumerateArray().First(k => k.GetProperty("kty").GetString() == "RSA");
        return new Provider(discovery.GetProperty("issuer").GetString()!, key.GetProperty("kid").GetString()!, key.GetRawText());
    }

    private static Dictionary<string, object> Claims(Provider provider) => new()
    {
        ["iss"] = provider.Issuer, ["aud"] = "datakeen-portal-api", ["sub"] = ServiceTokens.GatewayClientId,
        ["client_id"] = ServiceTokens.GatewayClientId, ["scope"] = ServiceTokens.VerifyScope,
        ["iat"] = Now(), ["nbf"] = Now(), ["exp"] = Now() + 600,
    };

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
