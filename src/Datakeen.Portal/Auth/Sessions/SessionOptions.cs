using System.ComponentModel.DataAnnotations;

namespace Datakeen.Portal.Auth.Sessions;

// Configuration section "Sessions" (and Auth:StepUpMaxAge for re-authentication).
public sealed class SessionOptions
{
    public const string SectionName = "Sessions";

    // A session unused this long ends (sliding).
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromHours(8);

    // A session ends this long after sign-in, however active.
    [Range(typeof(TimeSpan), "00:01:00", "365.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan AbsoluteLifetime { get; set; } = TimeSpan.FromDays(7);

    // How often an open Blazor circuit checks that its session still exists (revoked: sent to sign in).
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(2);

    // last_seen_at is written at most this often per session.
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan LastSeenResolution { get; set; } = TimeSpan.FromMinutes(1);

    // A back-channel logout token is accepted only this long after its iat (and before its exp).
    public TimeSpan LogoutTokenMaxAge { get; set; } = TimeSpan.FromMinutes(5);
}
