using System.Security.Claims;
using System.Text.Encodings.Web;
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

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var headers = Request.Headers.Authorization;
        if (headers.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var verdict = await admission.AdmitAsync(headers, ClientOf(Context), Context.RequestAborted);
        if (!verdict.IsAdmitted)
        {
            if (verdict.Refusal != AdmissionRefusal.InvalidKey)
            {
                _retryAfter = verdict.RetryAfter;
                return AuthenticateResult.Fail(ApiKeyProblems.RateLimited);
            }

            return AuthenticateResult.Fail(ApiKeyProblems.InvalidApiKey);
        }

        var key = verdict.Key!;
        // The endpoint reads the key itself (ApiKeyCaller); the principal carries what the policies need.
        Context.SetVerifiedKey(key);
        var identity = new ClaimsIdentity([new Claim(ApiKeyClaims.KeyType, ApiKeyClaims.KeyTypeValue(key.Kind))], Scheme.Name);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
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

    private static string ClientOf(HttpContext context) =>
        context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
