using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Tests.ApiKeys;

// "A key still works" has one owner (ApiKey.IsUsableAt); its query form (ApiKey.UsableAt) and the verifier's cached
// copy (VerifiedKey.IsValidAt) must say the same for every state a key can be in.
public sealed class ApiKeyUsabilityTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<DateTimeOffset?, DateTimeOffset?, bool> States => new()
    {
        { null, null, true },                                  // active
        { Now.AddHours(-1), Now.AddHours(-1), false },         // rotated at once an hour ago
        { Now.AddHours(-1), Now.AddHours(23), true },          // inside a 24 h grace period
        { Now.AddHours(-1), Now, false },                      // the grace period ends now
        { Now.AddDays(-8), Now.AddSeconds(-1), false },        // the grace period ended a second ago
        { Now.AddHours(-1), null, false },                     // revoked without an expiry
    };

    [Theory]
    [MemberData(nameof(States))]
    public void The_rule_its_query_form_and_the_verifier_agree(DateTimeOffset? revokedAt, DateTimeOffset? expiresAt, bool usable)
    {
        var key = new ApiKey { Digest = [], Prefix = "dk_test_sk_", LastFour = "abcd", RevokedAt = revokedAt, ExpiresAt = expiresAt };
        var verified = new VerifiedKey
        {
            KeyId = Guid.NewGuid(), WorkspaceId = Guid.NewGuid(), WorkspaceName = "w", WorkspaceSlug = "w",
            Environment = KeyEnvironment.Test, Kind = KeyKind.Secret, Hint = "h", RevokedAt = revokedAt, ExpiresAt = expiresAt,
        };

        Assert.Equal(usable, key.IsUsableAt(Now));
        Assert.Equal(usable, ApiKey.UsableAt(Now).Compile()(key));
        Assert.Equal(usable, verified.IsValidAt(Now));
    }

    [Fact]
    public void The_query_form_can_be_widened_without_restating_the_rule()
    {
        var replacedAfterLeak = new ApiKey
        {
            Digest = [], Prefix = "dk_test_sk_", LastFour = "abcd", RevokedAt = Now.AddDays(-1), ExpiresAt = Now.AddDays(-1),
            ExposedAt = Now.AddDays(-1), ReplacedByKeyId = Guid.NewGuid(),
        };

        var widened = ApiKey.UsableAt(Now, orElse: k => k.ExposedAt != null && k.ReplacedByKeyId != null).Compile();

        Assert.False(replacedAfterLeak.IsUsableAt(Now));
        Assert.True(widened(replacedAfterLeak));
    }
}
