using System.Text.Json;
using Datakeen.Portal.Data;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Datakeen.Portal.Auth.Sessions;

// OpenID Connect Back-Channel Logout 1.0: the provider POSTs a signed logout token (form field logout_token)
// naming the provider session (sid) or the person (sub); their portal sessions end at once. Validated per
// §2.6: the provider's signing keys with an asymmetric algorithm (refetched once when the token names a key
// not yet known: the provider rotated), issuer, audience = our client id, exp required, iat required and
// recent (Sessions:LogoutTokenMaxAge), the back-channel-logout event, no nonce, a sid or a sub, and a jti
// accepted once: kept in the database all instances share until the token would have expired anyway.
public static class BackChannelLogout
{
    public const string Path = "/backchannel-logout";
    private const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(1);

    private static readonly string[] AsymmetricAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    public static IEndpointRouteBuilder MapBackChannelLogout(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, HandleAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, OidcSettings oidc, IOptionsMonitor<OpenIdConnectOptions> options,
        IOptionsMonitor<SessionOptions> sessionOptions, UserSessions sessions, IDbContextFactory<PortalDbContext> contexts,
        TimeProvider time, ILoggerFactory loggers)
    {
        var logger = loggers.CreateLogger(typeof(BackChannelLogout));
        if (!oidc.IsConfigured || !http.Request.HasFormContentType)
        {
            return Invalid();
        }

        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        var token = form["logout_token"].ToString();
        if (token.Length is 0 or > 16_384)
        {
            return Invalid();
        }

        var oidcOptions = options.Get(AuthServiceCollectionExtensions.OidcScheme);
        var configurations = oidcOptions.ConfigurationManager!;
        var result = await ValidateAsync(token, await configurations.GetConfigurationAsync(http.RequestAborted), oidcOptions.ClientId, time);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // A key the provider has not published to us yet: it rotated. The configuration manager refetches at
            // most once per its RefreshInterval (5 minutes), so unsigned posts cannot make the portal hammer it.
            configurations.RequestRefresh();
            result = await ValidateAsync(token, await configurations.GetConfigurationAsync(http.RequestAborted), oidcOptions.ClientId, time);
        }

        var refusal = !result.IsValid || result.SecurityToken is not JsonWebToken jwt
            ? result.Exception?.Message ?? "invalid token"
            : Refusal(jwt, time.GetUtcNow(), sessionOptions.CurrentValue.LogoutTokenMaxAge);
        if (refusal is not null)
        {
            logger.LogWarning("Back-channel logout token refused: {Reason}", refusal);
            return Invalid();
        }

        var logoutToken = (JsonWebToken)result.SecurityToken;
        if (!await FirstUseAsync(contexts, logoutToken, time, http.RequestAborted))
        {
            logger.LogWarning("Back-channel logout token refused: its jti was already used");
            return Invalid();
        }

        logoutToken.TryGetPayloadValue<string>("sid", out var sid);
        logoutToken.TryGetPayloadValue<string>("sub", out var sub);
        await sessions.RevokeByProviderAsync(logoutToken.Issuer, string.IsNullOrEmpty(sid) ? null : sid, sub, http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Ok();
    }

    private static Task<TokenValidationResult> ValidateAsync(string token, Microsoft.IdentityModel.Protocols.OpenIdConnect.OpenIdConnectConfiguration configuration,
        string? clientId, TimeProvider time) =>
        new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = clientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = AsymmetricAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ClockSkew = ClockSkew,
            LifetimeValidator = (notBefore, expires, _, _) =>
            {
                var now = time.GetUtcNow().UtcDateTime;
                return expires is { } exp && exp > now - ClockSkew && (notBefore is not { } nbf || nbf <= now + ClockSkew);
            },
        });

    // The rules of §2.4 beyond the signature and the standard claims; null when the token is a logout token.
    private static string? Refusal(JsonWebToken jwt, DateTimeOffset now, TimeSpan maxAge)
    {
        if (!jwt.TryGetPayloadValue<long>("iat", out var iat))
        {
            return "no iat";
        }

        var issuedAt = DateTimeOffset.FromUnixTimeSeconds(iat);
        if (issuedAt > now + ClockSkew || now - issuedAt > maxAge)
        {
            return "iat outside the acceptance window";
        }

        if (!jwt.TryGetPayloadValue<string>("jti", out var jti) || string.IsNullOrEmpty(jti) || jti.Length > 255)
        {
            return "no jti";
        }

        if (jwt.TryGetPayloadValue<object>("nonce", out _))
        {
            return "a nonce (an ID token, not a logout token)";
        }

        if (!jwt.TryGetPayloadValue<JsonElement>("events", out var events) || events.ValueKind != JsonValueKind.Object ||
            !events.TryGetProperty(LogoutEvent, out _))
        {
            return "no back-channel logout event";
        }

        var hasSid = jwt.TryGetPayloadValue<string>("sid", out var sid) && !string.IsNullOrEmpty(sid);
        var hasSub = jwt.TryGetPayloadValue<string>("sub", out var sub) && !string.IsNullOrEmpty(sub);
        return hasSid || hasSub ? null : "neither sid nor sub";
    }

    // Records (issuer, jti); false when it was there already. Expired entries go on the way.
    private static async Task<bool> FirstUseAsync(IDbContextFactory<PortalDbContext> contexts, JsonWebToken jwt, TimeProvider time,
        CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var jti = jwt.Id;
        var expiresAt = new DateTimeOffset(jwt.ValidTo, TimeSpan.Zero) + ClockSkew;
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.LogoutTokenUses.Where(u => u.ExpiresAt < now).ExecuteDeleteAsync(ct);
        var inserted = await db.Database.ExecuteSqlAsync($"""
            INSERT INTO logout_token_uses (issuer, jti, expires_at) VALUES ({jwt.Issuer}, {jti}, {expiresAt})
            ON CONFLICT (issuer, jti) DO NOTHING
            """, ct);
        return inserted == 1;
    }

    // The spec's error answer: 400 with a JSON error, never a page.
    private static IResult Invalid() => Results.Json(new { error = "invalid_request" }, statusCode: StatusCodes.Status400BadRequest);
}
