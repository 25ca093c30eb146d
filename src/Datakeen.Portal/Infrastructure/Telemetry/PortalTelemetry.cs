using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Datakeen.Portal.Infrastructure.Telemetry;

// The portal's own spans and meters (docs/deploy.md lists them). Static like the runtime's own sources:
// recording costs nothing while nobody listens, which keeps the verification hot path allocation-free
// in the benchmarks. Tags carry outcomes and environments only, never key material.
public static class PortalTelemetry
{
    public const string Name = "Datakeen.Portal";

    public static readonly ActivitySource Source = new(Name);

    private static readonly Meter Meter = new(Name);

    public static readonly Counter<long> KeyVerifications = Meter.CreateCounter<long>(
        "datakeen.api_key.verifications", "{verification}", "API key verifications by outcome (valid, invalid, malformed)");

    public static readonly Counter<long> VerifierCacheLookups = Meter.CreateCounter<long>(
        "datakeen.api_key.verifier_cache.lookups", "{lookup}", "Verifier cache lookups by result (hit, miss)");

    public static readonly Counter<long> CreditsConsumed = Meter.CreateCounter<long>(
        "datakeen.credits.consumed", "{credit}", "Credits debited by consumption, by environment");

    public static readonly Counter<long> KeyRotations = Meter.CreateCounter<long>(
        "datakeen.api_key.rotations", "{rotation}", "API keys rotated, by environment and kind");

    public static readonly Counter<long> ChangeFeedReconnects = Meter.CreateCounter<long>(
        "datakeen.change_feed.reconnects", "{reconnect}", "Change-feed (LISTEN/NOTIFY) connections opened after the first");

    // Seconds, per the OpenTelemetry semantic conventions for durations, with buckets for seconds.
    public static readonly Histogram<double> ChangeFeedLag = Meter.CreateHistogram(
        "datakeen.change_feed.lag", "s", "Time from a keepalive NOTIFY to its delivery to this instance", tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    // Open Blazor circuits: .NET 10's own meter Microsoft.AspNetCore.Components.Server.Circuits
    // (aspnetcore.components.circuit.active), exported with the others.

    public static readonly Counter<long> RateLimitRefusals = Meter.CreateCounter<long>(
        "datakeen.rate_limit.refusals", "{refusal}", "API requests refused by a rate limit, by limit (client_failures, key)");

    public static readonly Counter<long> ActivityDropped = Meter.CreateCounter<long>(
        "datakeen.key_activity.dropped", "{request}", "Key activity entries dropped because the write queue was full");

    public static void RecordVerification(string outcome) =>
        KeyVerifications.Add(1, new KeyValuePair<string, object?>("datakeen.api_key.outcome", outcome));

    public static void RecordCacheLookup(bool hit) =>
        VerifierCacheLookups.Add(1, new KeyValuePair<string, object?>("datakeen.cache.result", hit ? "hit" : "miss"));
}
