using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Infrastructure.Telemetry;
using Microsoft.Extensions.Primitives;

namespace Datakeen.Portal.ApiKeys;

public enum AdmissionRefusal
{
    None,
    // No key, or one that does not verify (malformed, unknown, revoked, expired: all alike).
    InvalidKey,
    // This address sent too many bad keys in the current window; it may still send a valid one.
    TooManyFailures,
    // The key is over its request limit.
    KeyRateLimited,
    // A public key sent from a web origin that is not on its allow-list (403 origin_not_allowed).
    OriginNotAllowed,
}

// The verdict on a request's key: the verified key when admitted, else why not and, for a limit, how long to wait.
// CorsOrigin: the request's Origin when a public key's allow-list names it (the only origin a CORS answer may name).
public readonly record struct Admission(VerifiedKey? Key, AdmissionRefusal Refusal, TimeSpan RetryAfter, string? CorsOrigin = null)
{
    public bool IsAdmitted => Refusal == AdmissionRefusal.None;
}

// Who asked, as the activity records it: the caller's address, the route (method and path for the API; "gateway"
// and the upstream path for the gateway hook), the request's Origin and User-Agent headers and its request id.
public readonly record struct AdmissionRequest(string Client, string RouteKind, string? Path, string? Origin, string? UserAgent,
    string? RequestId);

// The one admission of customer keys (docs/architecture.md, "Key admission"), used by the API's authentication
// handler and the gateway's hook alike. Verify first: a valid key is never refused because of its address (behind a
// NAT or a load balancer one guesser must not lock every customer out). Only requests that send a key that fails
// count against their address, and once the address is over its limit only its further bad keys get 429. A
// request without any key is simply not admitted: it is not a guess. A verified key's request is recorded in its
// activity (off the request path, KeyActivityRecorder), and a public key is checked against its allowed web
// origins before its request limit, so a foreign site cannot spend the key's limit.
public sealed class KeyAdmission(ApiKeyVerifier verifier, ApiRateLimits rateLimits, ApiKeyUsageTracker usage,
    KeyActivityRecorder activity)
{
    public async ValueTask<Admission> AdmitAsync(StringValues authorization, AdmissionRequest request, CancellationToken ct)
    {
        if (authorization.Count == 0)
        {
            return new Admission(null, AdmissionRefusal.InvalidKey, TimeSpan.Zero);
        }

        var key = BearerKey.Extract(authorization) is { } candidate ? await verifier.VerifyAsync(candidate, ct) : null;
        if (key is null)
        {
            if (await rateLimits.ClientBlockedForAsync(request.Client, ct) is { } blockedFor)
            {
                PortalTelemetry.RateLimitRefusals.Add(1, new KeyValuePair<string, object?>("limit", "client_failures"));
                return new Admission(null, AdmissionRefusal.TooManyFailures, blockedFor);
            }

            await rateLimits.RecordFailureAsync(request.Client, ct);
            return new Admission(null, AdmissionRefusal.InvalidKey, TimeSpan.Zero);
        }

        string? corsOrigin = null;
        if (key.Kind == KeyKind.Public && !key.AllowedOrigins.IsEmpty && request.Origin is { } origin)
        {
            if (!key.AllowedOrigins.Allows(origin))
            {
                activity.Record(key, request, ActivityOutcomes.OriginNotAllowed);
                return new Admission(key, AdmissionRefusal.OriginNotAllowed, TimeSpan.Zero);
            }

            corsOrigin = origin;
        }

        if (await rateLimits.AcquireForKeyAsync(key.KeyId, ct) is { } waitFor)
        {
            PortalTelemetry.RateLimitRefusals.Add(1, new KeyValuePair<string, object?>("limit", "key"));
            activity.Record(key, request, ActivityOutcomes.RateLimited);
            return new Admission(key, AdmissionRefusal.KeyRateLimited, waitFor);
        }

        usage.Record(key.KeyId);
        activity.Record(key, request, ActivityOutcomes.Ok);
        return new Admission(key, AdmissionRefusal.None, TimeSpan.Zero, corsOrigin);
    }
}
