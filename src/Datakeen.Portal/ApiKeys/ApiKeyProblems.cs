using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.ApiKeys;

// RFC 9457 problem details of the API, each with a stable "code" member.
public static class ApiKeyProblems
{
    public const string InvalidApiKey = ApiErrors.Codes.InvalidApiKey;
    public const string PublicKeyNotAllowed = ApiErrors.Codes.PublicKeyNotAllowed;
    public const string RateLimited = ApiErrors.Codes.RateLimited;
    public const string ForbiddenCode = ApiErrors.Codes.Forbidden;

    // One message for unknown, revoked, expired and malformed keys: an attacker learns nothing from it.
    public const string InvalidApiKeyDetail =
        "The API key is missing, malformed, unknown, revoked or expired. Send an active key as 'Authorization: Bearer <key>'.";

    public static IResult Unauthorized() =>
        ApiProblem.Result(StatusCodes.Status401Unauthorized, InvalidApiKey, "Invalid API key", InvalidApiKeyDetail);

    public static IResult PublicKeyForbidden() =>
        ApiProblem.Result(StatusCodes.Status403Forbidden, PublicKeyNotAllowed, "Secret key required",
            "This endpoint needs a secret key (dk_live_sk_… or dk_test_sk_…); public keys are for client-side identification only.");

    public static IResult OriginForbidden() =>
        ApiProblem.Result(StatusCodes.Status403Forbidden, ApiErrors.Codes.OriginNotAllowed, "Website not allowed",
            "This public key may not be used from this website: its origin is not on the key's list of allowed websites.");

    public static IResult Forbidden() =>
        ApiProblem.Result(StatusCodes.Status403Forbidden, ForbiddenCode, "Forbidden", "This key is not allowed to do this.");

    public static IResult TooManyRequests(TimeSpan retryAfter) =>
        ApiProblem.Result(StatusCodes.Status429TooManyRequests, RateLimited, "Too many requests",
            $"Too many requests. Retry after {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} seconds.");
}
