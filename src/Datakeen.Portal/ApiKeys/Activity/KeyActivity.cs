namespace Datakeen.Portal.ApiKeys.Activity;

// The requests the portal saw with a key from one caller (same key, route, outcome, client address, user agent and
// origin) within one flush of the activity writer (docs/key-activity.md): its own API or the gateway's hook, coalesced
// into one row with a request count, at the newest request's time and request id. Never the key itself: the key id only. Rows older than ApiKeyOptions.ActivityRetention are deleted (KeyActivityRetentionJob).
public sealed class KeyActivity
{
    public const int MaxRouteLength = 200;
    public const int MaxClientAddressLength = 64;
    public const int MaxUserAgentLength = 256;
    public const int MaxRequestIdLength = 64;
    public const int MaxOriginLength = 200;

    public long Id { get; set; }
    public Guid KeyId { get; set; }
    public Guid WorkspaceId { get; set; }
    public DateTimeOffset At { get; set; }

    // "GET /api/v1/whoami" for the API, "gateway GET /backend/…" for the gateway hook.
    public required string Route { get; set; }

    // ActivityOutcomes: what admission answered.
    public required string Outcome { get; set; }
    public required string ClientAddress { get; set; }
    public string? UserAgent { get; set; }
    public string? RequestId { get; set; }
    public string? Origin { get; set; }

    // How many requests this row stands for (1 for rows written before coalescing).
    public int Requests { get; set; } = 1;
}

// The outcome codes of admission as the activity records them (a refused origin is the API's problem code).
public static class ActivityOutcomes
{
    public const string Ok = "ok";
    public const string RateLimited = "rate_limited";
    public const string OriginNotAllowed = "origin_not_allowed";

    public static readonly IReadOnlyList<string> All = [Ok, RateLimited, OriginNotAllowed];
}
