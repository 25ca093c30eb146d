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
}

// The verdict on a request's key: the verified key when admitted, else why not and, for a limit, how long to wait.
public readonly record struct Admission(VerifiedKey? Key, AdmissionRefusal Refusal, TimeSpan RetryAfter)
{
    public bool IsAdmitted => Refusal == AdmissionRefusal.None;
}

// The one admission of customer keys (docs/architecture.md, "Key admission"), used by the API's authentication
// handler and the gateway's hook alike. Verify first: a valid key is never refused because of its address (behind a
// NAT or a load balancer one guesser must not lock every customer out). Only requests that send a key that fails
// count against their address, and once the address is over its limit only its further bad keys get 429. A
// request without any key is simply not admitted: it is not a guess.
public sealed class KeyAdmission(ApiKeyVerifier verifier, ApiRateLimits rateLimits, ApiKeyUsageTracker usage)
{
    public async ValueTask<Admission> AdmitAsync(StringValues authorization, string client, CancellationToken ct)
    {
        if (authorization.Count == 0)
        {
            return new Admission(null, AdmissionRefusal.InvalidKey, TimeSpan.Zero);
        }

        var key = BearerKey.Extract(authorization) is { } candidate ? await verifier.VerifyAsync(candidate, ct) : null;
        if (key is null)
        {
            if (await rateLimits.ClientBlockedForAsync(client, ct) is { } blockedFor)
            {
                PortalTelemetry.RateLimitRefusals.Add(1, new KeyValuePair<string, object?>("limit", "client_failures"));
                return new Admission(null, AdmissionRefusal.TooManyFailures, blockedFor);
            }

            await rateLimits.RecordFailureAsync(client, ct);
            return new Admission(null, AdmissionRefusal.InvalidKey, TimeSpan.Zero);
        }

        if (await rateLimits.AcquireForKeyAsync(key.KeyId, ct) is { } waitFor)
        {
            PortalTelemetry.RateLimitRefusals.Add(1, new KeyValuePair<string, object?>("limit", "key"));
            return new Admission(key, AdmissionRefusal.KeyRateLimited, waitFor);
        }

        usage.Record(key.KeyId);
        return new Admission(key, AdmissionRefusal.None, TimeSpan.Zero);
    }
}
