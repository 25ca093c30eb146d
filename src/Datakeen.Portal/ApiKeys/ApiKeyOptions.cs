using System.ComponentModel.DataAnnotations;

namespace Datakeen.Portal.ApiKeys;

// Configuration section "ApiKeys".
public sealed class ApiKeyOptions
{
    public const string SectionName = "ApiKeys";

    public RevealPolicyOptions RevealPolicy { get; set; } = new();

    // Safety bound on how long a verified key stays cached when a change notification is missed.
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan CacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    // How long a well-formed key the database does not know is answered 401 without asking it again.
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan UnknownKeyCacheTtl { get; set; } = TimeSpan.FromSeconds(10);

    // last_used_at is written at most this often per key.
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan UsageFlushInterval { get; set; } = TimeSpan.FromMinutes(1);

    // Failed key attempts per client IP and minute before the client's further unknown keys get 429
    // (a valid key from that client still passes).
    // Any positive count: a load test may set it beyond reach.
    [Range(1, int.MaxValue)]
    public int FailedAttemptsPerMinute { get; set; } = 20;

    // Requests per key and minute across the API.
    [Range(1, int.MaxValue)]
    public int RequestsPerMinutePerKey { get; set; } = 600;

    // Rotations by the workspace's admins per workspace and hour (one step-up must not mean unlimited rotations,
    // each of which mails every admin). Leak responses and support rotations are never limited.
    [Range(1, int.MaxValue)]
    public int RotationsPerHourPerWorkspace { get; set; } = 10;

    // Key activity (docs/key-activity.md): how often the recorded requests are written, how long they are kept, how
    // many may wait in memory (beyond that, new ones are dropped rather than slowing requests), and how long an old
    // key keeps working once its new key is first used (the rotation choice "until the new key is first used").
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ActivityFlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    [Range(typeof(TimeSpan), "01:00:00", "90.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ActivityRetention { get; set; } = TimeSpan.FromDays(7);

    [Range(1_000, 10_000_000)]
    public int ActivityQueueCapacity { get; set; } = 100_000;

    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan FirstUseGrace { get; set; } = TimeSpan.FromHours(1);

    public RevealPolicy PolicyFor(KeyEnvironment environment) =>
        environment == KeyEnvironment.Production ? RevealPolicy.Production : RevealPolicy.Test;
}

public sealed class RevealPolicyOptions
{
    [EnumDataType(typeof(RevealPolicy))]
    public RevealPolicy Production { get; set; } = ApiKeys.RevealPolicy.Once;
    [EnumDataType(typeof(RevealPolicy))]
    public RevealPolicy Test { get; set; } = ApiKeys.RevealPolicy.Always;
}
