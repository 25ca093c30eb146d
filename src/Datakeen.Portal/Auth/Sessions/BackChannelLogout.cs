using System.Text.Json;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Datakeen.Portal.Auth.Sessions;

// OpenID Connect Back-Channel Logout 1.0: the provider POSTs a signed logout token (form field logout_token)
// naming the provider session (sid) or the person (sub); their portal sessions end at once. The token is
// checked like an identity token (the provider's signing keys, issuer, audience = our client id) plus the
// rules of the spec: the back-channel-logout event, no nonce, a sid or a sub.
public static class BackChannelLogout
{
    public const string Path = "/backchannel-logout";
    private const string LogoutEvent = "http://schemas.openid.net/event/backchannel-logout";

    public static IEndpointRouteBuilder MapBackChannelLogout(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, HandleAsync).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> HandleAsync(HttpContext http, OidcSettings oidc, IOptionsMonitor<OpenIdConnectOptions> options,
        UserSessions sessions, ILoggerFactory loggers)
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
        var configuration = await oidcOptions.ConfigurationManager!.GetConfigurationAsync(http.RequestAborted);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = configuration.Issuer,
            ValidAudience = oidcOptions.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            RequireExpirationTime = false,
            ClockSkew = TimeSpan.FromMinutes(2),
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt || !IsLogoutToken(jwt))
        {
            logger.LogWarning("Back-channel logout token refused: {Reason}", result.Exception?.Message ?? "not a logout token");
            return Invalid();
        }

        jwt.TryGetPayloadValue<string>("sid", out var sid);
        jwt.TryGetPayloadValue<string>("sub", out var sub);
        await sessions.RevokeByProviderAsync(jwt.Issuer, string.IsNullOrEmpty(sid) ? null : sid, sub, http.RequestAborted);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Ok();
    }

    private static bool IsLogoutToken(JsonWebToken jwt)
    {
        if (jwt.TryGetPayloadValue<object>("nonce", out _) || !jwt.TryGetPayloadValue<JsonElement>("events", out var events) ||
            events.ValueKind != JsonValueKind.Object || !events.TryGetProperty(LogoutEvent, out _))
        {
            return false;
        }

        var hasSid = jwt.TryGetPayloadValue<string>("sid", out var sid) && !string.IsNullOrEmpty(sid);
        var hasSub = jwt.TryGetPayloadValue<string>("sub", out var sub) && !string.IsNullOrEmpty(sub);
        return hasSid || hasSub;
    }

    // The spec's error answer: 400 with a JSON error, never a page.
    private static IResult Invalid() => Results.Json(new { error = "invalid_request" }, statusCode: StatusCodes.Status400BadRequest);
}
