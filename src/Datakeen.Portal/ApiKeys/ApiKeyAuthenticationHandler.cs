using System.Security.Claims;
using System.Text.Encodings.Web;
using Datakeen.Portal.Infrastructure;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.ApiKeys;

// The "ApiKey" scheme: `Authorization: Bearer dk_…`. Never the default scheme; the API policies name it.
// Failures say nothing about why (unknown, revoked, expired and malformed keys look the same), and the
// header is never logged or echoed.
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    KeyAdmission admission) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private TimeSpan? _retryAfter;
    private bool _originRefused;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var verdict = await admission.AdmitAsync(headers, RequestOf(Context), Context.RequestAborted);
        if (!verdict.IsAdmitted)
        {
            if (verdict.Refusal == AdmissionRefusal.OriginNotAllowed)
            {
                _originRefused = true;
                return AuthenticateResult.Fail(ApiErrors.Codes.OriginNotAllowed);
            }

            if (verdict.Refusal != AdmissionRefusal.InvalidKey)
            {
                _retryAfter = verdict.RetryAfter;
                return AuthenticateResult.Fail(ApiKeyProblems.RateLimited);
            }

            return AuthenticateResult.Fail(ApiKeyProblems.InvalidApiKey);
        }

        var key = verdict.Key!;
        if (verdict.CorsOrigin is { } origin)
        {
            // A public key with an allow-list: the CORS answer names the request's origin, which the list allows.
            Response.Headers.AccessControlAllowOrigin = origin;
            Response.Headers.Vary = "Origin";
        }

        // The endpoint reads the key itself (ApiKeyCaller); the principal carries what the policies need.
        Context.SetVerifiedKey(key);
        return key.Kind == KeyKind.Secret ? SecretKeyAdmitted : PublicKeyAdmitted;
    }

    // The principal carries only the key type, so one result per kind serves every request (nothing downstream
    // changes a principal): no identity, claim, principal and ticket built per request.
    private static readonly AuthenticateResult SecretKeyAdmitted = Admitted(KeyKind.Secret);
    private static readonly AuthenticateResult PublicKeyAdmitted = Admitted(KeyKind.Public);

    private static AuthenticateResult Admitted(KeyKind kind) => AuthenticateResult.Success(new AuthenticationTicket(
        new ClaimsPrincipal(new ClaimsIdentity([new Claim(ApiKeyClaims.KeyType, ApiKeyClaims.KeyTypeValue(kind))],
            ApiKeyClaims.AuthenticationScheme)),
        ApiKeyClaims.AuthenticationScheme));

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_originRefused)
        {
            await ApiKeyProblems.OriginForbidden().ExecuteAsync(Context);
            return;
        }

        if (_retryAfter is { } retryAfter)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await ApiKeyProblems.TooManyRequests(retryAfter).ExecuteAsync(Context);
            return;
        }

        Response.Headers.WWWAuthenticate = "Bearer";
        await ApiKeyProblems.Unauthorized().ExecuteAsync(Context);
    }

    // The only API-key requirement beyond authentication is "secret key"; anything else refused is a plain 403.
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        (Context.FindVerifiedKey()?.Kind == KeyKind.Secret
            ? ApiKeyProblems.Forbidden()
            : ApiKeyProblems.PublicKeyForbidden()).ExecuteAsync(Context);

    private static AdmissionRequest RequestOf(HttpContext context)
    {
        var headers = context.Request.Headers;
        return new AdmissionRequest(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", context.Request.Method,
            context.Request.Path.Value, headers.Origin.Count == 0 ? null : headers.Origin.ToString(),
            headers.UserAgent.Count == 0 ? null : headers.UserAgent.ToString(), ApiRequestId.Of(context));
    }
}
