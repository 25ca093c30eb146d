namespace Datakeen.Portal.ApiKeys;

// The verified key of an API request, as its own type: the authentication handler stores it in the
// request's features and endpoints read it back; no claim strings in between (see docs/architecture.md).
public static class ApiKeyCaller
{
    // Set by ApiKeyAuthenticationHandler when the bearer key verifies.
    internal static void SetVerifiedKey(this HttpContext context, VerifiedKey key) => context.Features.Set(key);

    // The key of the request, or null when no key was verified (e.g. a refused or keyless request).
    public static VerifiedKey? FindVerifiedKey(this HttpContext context) => context.Features.Get<VerifiedKey>();

    // For endpoints behind an ApiKeyPolicies policy: authorization only lets a verified key through.
    public static VerifiedKey GetVerifiedKey(this HttpContext context) =>
        context.FindVerifiedKey()
        ?? throw new InvalidOperationException("This endpoint must require an ApiKeyPolicies policy.");
}
