using Datakeen.Portal.Auth;

namespace Datakeen.Portal.ApiKeys;

// What the API & Docs tab asks of the keys. Every method checks the actor's role in the workspace
// itself (the UI hiding a control is presentation only) and audits what it does.
public interface IApiKeyManager
{
    // The active key of each (environment, kind), plus keys still inside a rotation grace period.
    // Never carries a secret plaintext.
    Task<IReadOnlyList<ApiKeyView>> ListAsync(Guid workspaceId, Actor actor, CancellationToken ct = default);

    // Returns the plaintext to this caller only; audits key.revealed or key.copied.
    Task<KeyAccessResult> GetPlaintextAsync(Guid workspaceId, Guid keyId, KeyAccessPurpose purpose, Actor actor,
        CancellationToken ct = default);

    // New key + old key revoked (or expiring after the grace period) in one transaction.
    Task<KeyRotationResult> RotateAsync(Guid workspaceId, Guid keyId, TimeSpan? gracePeriod, Actor actor,
        CancellationToken ct = default);

    // "Revoke old key now": ends a replaced key's grace period (Admin, recent sign-in; audited).
    Task<KeyRotationResult> EndGraceAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default);

    // A public key's allowed websites (Admin; audited; every instance applies them within the change feed's delay).
    Task<AllowedOriginsResult> SaveAllowedOriginsAsync(Guid workspaceId, Guid keyId, IReadOnlyList<string> origins, Actor actor,
        CancellationToken ct = default);
}

public enum KeyAccessPurpose
{
    Reveal,
    Copy,
}

public sealed record ApiKeyView(
    Guid Id,
    KeyEnvironment Environment,
    KeyKind Kind,
    string MaskedValue,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastUsedAt,
    bool IsActive,
    // Null while active; for a key being replaced, when it stops working.
    DateTimeOffset? ExpiresAt,
    // False for a Production secret after its one reveal: only the hash is left.
    bool CanRevealPlaintext,
    // What this caller may do with the key and what the UI says about it (decided by the server).
    KeyCapabilities Capabilities)
{
    // Secret keys: where the key (or the key it replaced) was found in public, if it was.
    public KeyExposure? Exposure { get; init; }

    // Public keys: the web origins allowed to use the key; empty = any website (docs/key-activity.md).
    public IReadOnlyList<string> AllowedOrigins { get; init; } = [];

    // A replaced key whose grace period waits for the new key's first request (then ends 1 hour later by default).
    public bool GraceAwaitsFirstUse { get; init; }
}

public enum KeyAccessOutcome
{
    Ok,
    NotFound,
    Forbidden,
    NoLongerRevealable,
    // The caller's session ended, or a Production secret needs a recent sign-in (Auth/Sessions/StepUp.cs).
    SessionEnded,
    ReauthenticationRequired,
}

public sealed record KeyAccessResult(KeyAccessOutcome Outcome, string? Plaintext, string? Message)
{
    public static KeyAccessResult Ok(string plaintext) => new(KeyAccessOutcome.Ok, plaintext, null);
    public static KeyAccessResult Fail(KeyAccessOutcome outcome, string message) => new(outcome, null, message);

    // Keeps the plaintext out of ToString(), so logging a result cannot leak the key.
    public override string ToString() =>
        $"Outcome = {Outcome}, Plaintext = {(Plaintext is null ? "null" : "[redacted]")}, Message = {Message}";
}

public enum KeyRotationOutcome
{
    Rotated,
    NotFound,
    Forbidden,
    // The key was already rotated (by someone else, or in another tab): nothing was changed.
    Stale,
    InvalidGracePeriod,
    // The caller's session ended, or the rotation needs a recent sign-in (Auth/Sessions/StepUp.cs).
    SessionEnded,
    ReauthenticationRequired,
    // The workspace's admins rotated too often in the last hour (ApiKeyOptions.RotationsPerHourPerWorkspace).
    RateLimited,
}

// NewKey and ReplacedKey (the old key as it is now: revoked, or expiring) let the tab apply a rotation without
// reloading its keys.
public sealed record KeyRotationResult(KeyRotationOutcome Outcome, ApiKeyView? NewKey, string? NewPlaintext, string? Message,
    ApiKeyView? ReplacedKey = null)
{
    // Keeps the plaintext out of ToString(), so logging a result cannot leak the key.
    public override string ToString() =>
        $"Outcome = {Outcome}, NewKey = {NewKey}, NewPlaintext = {(NewPlaintext is null ? "null" : "[redacted]")}, Message = {Message}, ReplacedKey = {ReplacedKey}";
}
