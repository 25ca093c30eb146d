using Datakeen.Portal.Workspaces;

namespace Datakeen.Portal.ApiKeys;

// What the caller may do with one key and what the UI should say about it, decided by the server from the
// configured reveal policy and the caller's role (the UI renders these flags and repeats no rule).
public sealed record KeyCapabilities(
    // The policy of the key's environment; public keys are always shown.
    RevealPolicy RevealPolicy,
    // The plaintext of this key can be seen once only (at rotation, or at its one reveal).
    bool ShownOnce,
    // The caller may reveal or copy the plaintext now.
    bool CanReveal,
    // The caller may rotate the key (Admins only).
    bool CanRotate,
    // "dk_test_sk_": the start of every key of this environment and kind.
    string Prefix,
    // The grace periods a rotation accepts besides "immediately".
    IReadOnlyList<TimeSpan> AllowedGracePeriods)
{
    // The choice "Until the new key is first used (at most 7 days)" (docs/key-activity.md): not a length but a rule,
    // carried as this value so that a rotation takes one grace parameter. The old key's end is set when the new key
    // is first admitted (that time + ApiKeyOptions.FirstUseGrace), and is never later than UntilFirstUseBound.
    public static readonly TimeSpan UntilNewKeyFirstUsed = TimeSpan.MaxValue;
    public static readonly TimeSpan UntilFirstUseBound = TimeSpan.FromDays(7);

    public static readonly IReadOnlyList<TimeSpan> GracePeriods =
        [TimeSpan.FromHours(1), TimeSpan.FromHours(24), TimeSpan.FromDays(7), UntilNewKeyFirstUsed];

    public static bool IsAllowedGracePeriod(TimeSpan grace) => grace == TimeSpan.Zero || GracePeriods.Contains(grace);

    // plaintextKept: an encrypted copy of the secret is still stored (not yet erased by a Once reveal).
    public static KeyCapabilities For(ApiKeyOptions options, KeyEnvironment environment, KeyKind kind, WorkspaceRole role,
        bool plaintextKept)
    {
        var isAdmin = role == WorkspaceRole.Admin;
        if (kind == KeyKind.Public)
        {
            return new(RevealPolicy.Always, ShownOnce: false, CanReveal: true, isAdmin, KeyFormat.PrefixFor(environment, kind),
                GracePeriods);
        }

        var policy = options.PolicyFor(environment);
        return new(policy,
            ShownOnce: policy != RevealPolicy.Always,
            CanReveal: isAdmin && plaintextKept && policy != RevealPolicy.Never,
            isAdmin,
            KeyFormat.PrefixFor(environment, kind),
            GracePeriods);
    }
}
