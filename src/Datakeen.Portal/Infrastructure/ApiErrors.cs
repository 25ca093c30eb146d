
namespace Datakeen.Portal.Infrastructure;

// One entry per problem "code" the API can answer: its status, title, and the cause and fix that the error
// reference (/docs/errors) shows. The OpenAPI document, the reference page and every problem's "type" link are
// built from this table, so a new code is added here once (and declared on its endpoints with ProducesApiErrors).
public sealed record ApiError(string Code, int Status, string Title, string Cause, string Fix);

public static class ApiErrors
{
    // The codes, owned here: each feature's problems refer to them.
    public static class Codes
    {
        public const string Forbidden = "forbidden";
        public const string IdempotencyConflict = "idempotency_conflict";
        public const string IdempotencyKeyReused = "idempotency_key_reused";
        public const string InsufficientCredits = "insufficient_credits";
        public const string InsufficientScope = "insufficient_scope";
        public const string InvalidApiKey = "invalid_api_key";
        public const string InvalidRequest = "invalid_request";
        public const string InvalidServiceToken = "invalid_service_token";
        public const string InvalidSignature = "invalid_signature";
        public const string MissingIdempotencyKey = "missing_idempotency_key";
        public const string OriginNotAllowed = "origin_not_allowed";
        public const string PayloadTooLarge = "payload_too_large";
        public const string PublicKeyNotAllowed = "public_key_not_allowed";
        public const string RateLimited = "rate_limited";
        public const string UnsupportedMediaType = "unsupported_media_type";
    }

    public const string ReferencePath = "/docs/errors";

    public static readonly ApiError InvalidRequest = new(Codes.InvalidRequest, 400, "Invalid request",
        "The body or a parameter does not match the operation's schema: not JSON, a wrong type (numbers must be JSON numbers, not strings), an unknown member, or a value out of range.",
        "Read `detail`, which names the offending member, and send the body as documented in the API reference.");

    public static readonly ApiError MissingIdempotencyKey = new(Codes.MissingIdempotencyKey, 400, "Idempotency-Key required",
        "The operation changes a balance and was sent without a valid `Idempotency-Key` header (1 to 255 printable ASCII characters).",
        "Generate a new key per logical request (a UUID is fine), send it as `Idempotency-Key`, and reuse the same key when you retry that request.");

    public static readonly ApiError InvalidApiKey = new(Codes.InvalidApiKey, 401, "Invalid API key",
        "The `Authorization` header is missing or malformed, or the key is unknown, revoked or expired. The answer is the same for all of these on purpose.",
        "Send `Authorization: Bearer <key>` with an active key copied from the API & Docs tab. If the key was rotated, use the new one.");

    public static readonly ApiError InvalidServiceToken = new(Codes.InvalidServiceToken, 401, "Invalid service token",
        "The service API (`POST /api/v1/keys/verify`) was called without a valid access token of the OpenID Connect provider: none, expired, signed by another key, for another audience, or a customer API key.",
        "Get a token with the client-credentials flow (client `datakeen-gateway`, scope `datakeen.keys.verify`) and send it as `Authorization: Bearer <token>`; get a new one when it expires.");

    public static readonly ApiError InsufficientScope = new(Codes.InsufficientScope, 403, "Insufficient scope",
        "The service token is valid but lacks the scope `datakeen.keys.verify`.",
        "Request the token with `scope=datakeen.keys.verify`, from a client that is allowed that scope.");
    public static readonly ApiError InvalidSignature = new(Codes.InvalidSignature, 401, "Invalid signature",
        "A leak report (`POST /api/v1/secret-scanning/github`) came without a valid GitHub signature: the `Github-Public-Key-Identifier` or `Github-Public-Key-Signature` header is missing, names a key GitHub does not list, or the signature does not match the exact body. Nothing was changed.",
        "Only GitHub secret scanning calls this operation: send the body exactly as signed, with both headers, signed (ECDSA P-256/SHA-256, base64 DER) by a current key of GitHub's secret-scanning key list.");

    public static readonly ApiError InsufficientCredits = new(Codes.InsufficientCredits, 402, "Insufficient credits",
        "The balance of the key's environment is below the requested amount. Nothing was debited.",
        "Check the balance with `GET /api/v1/credits`. Test credits are never renewed: use a smaller amount, or Production credits for real traffic.");

    public static readonly ApiError PublicKeyNotAllowed = new(Codes.PublicKeyNotAllowed, 403, "Secret key required",
        "The operation needs a secret key (`dk_…_sk_…`) and the request used a public key (`dk_…_pk_…`).",
        "Call this operation from your server with the secret key, read from an environment variable. Public keys only identify the workspace client-side.");

    public static readonly ApiError OriginNotAllowed = new(Codes.OriginNotAllowed, 403, "Website not allowed",
        "The request used a public key from a web page whose origin (the `Origin` header) is not on the key's list of allowed websites.",
        "Add the website's origin (for example `https://app.example.com`, or `https://*.example.com` for its subdomains) to the key's allowed websites on the API & Docs tab, or call from a listed website.");

    public static readonly ApiError Forbidden = new(Codes.Forbidden, 403, "Forbidden",
        "The key is valid but not allowed to perform this operation.",
        "Use a key of the right kind and environment for the operation, as stated in the API reference.");

    public static readonly ApiError NotFound = new("not_found", 404, "Not found",
        "No API operation exists at this path (a typo, a missing `/api/v1` prefix, or an operation of a newer version).",
        "Check the path against the API reference; every operation lives under `/api/v1`.");

    public static readonly ApiError MethodNotAllowed = new("method_not_allowed", 405, "Method not allowed",
        "The path exists but not with this HTTP method (for example `GET` on an operation that takes `POST`).",
        "Use the method listed in the `Allow` response header and in the API reference.");

    public static readonly ApiError IdempotencyConflict = new(Codes.IdempotencyConflict, 409, "Request in progress",
        "Another request with the same `Idempotency-Key` is still being processed, so there is no answer to replay yet.",
        "Retry the same request with the same key after a short wait: you will get the first request's answer, with `Idempotent-Replayed: true`.");

    public static readonly ApiError PayloadTooLarge = new(Codes.PayloadTooLarge, 413, "Body too large",
        "The request body is larger than the operation accepts.",
        "Send only the documented members; `reference` is at most 200 characters.");

    public static readonly ApiError UnsupportedMediaType = new(Codes.UnsupportedMediaType, 415, "Unsupported media type",
        "The request has a body that is not declared as JSON.",
        "Send the body with `Content-Type: application/json`, or send no body to use the defaults.");

    public static readonly ApiError IdempotencyKeyReused = new(Codes.IdempotencyKeyReused, 422, "Idempotency-Key reused",
        "The `Idempotency-Key` was already used for a different request (another amount, reference or environment).",
        "Use a new key for every new request; reuse a key only to retry exactly the same request.");

    public static readonly ApiError RateLimited = new(Codes.RateLimited, 429, "Too many requests",
        "Too many requests with this key, or too many failed key attempts from this client, in the current minute.",
        "Wait the number of seconds given in the `Retry-After` header, then retry. Check that your key is valid if the failures are 401s.");

    public static readonly ApiError InternalError = new("internal_error", 500, "Internal error",
        "The request failed unexpectedly on the server. Nothing was charged twice.",
        "Retry with the same `Idempotency-Key`; if it persists, contact support with the `requestId` of the answer.");

    public static readonly ApiError ServiceUnavailable = new("service_unavailable", 503, "Service unavailable",
        "The service cannot reach its database right now. Nothing was changed.",
        "Retry after the number of seconds in the `Retry-After` header, with the same `Idempotency-Key` for a consumption.");

    public static IReadOnlyList<ApiError> All { get; } =
    [
        InvalidRequest, MissingIdempotencyKey, InvalidApiKey, InvalidServiceToken, InvalidSignature, InsufficientCredits,
        PublicKeyNotAllowed, OriginNotAllowed, Forbidden, InsufficientScope, NotFound,
        MethodNotAllowed, IdempotencyConflict, PayloadTooLarge, UnsupportedMediaType, IdempotencyKeyReused, RateLimited,
        InternalError, ServiceUnavailable,
    ];

    // The problem "type" of a code: its own entry on the error reference (a URI reference, relative to the portal).
    public static string TypeOf(string code) => $"{ReferencePath}#{code}";
}
