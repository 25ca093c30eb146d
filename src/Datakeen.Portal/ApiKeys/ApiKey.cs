namespace Datakeen.Portal.ApiKeys;

// One issued key. Only its SHA-256 digest identifies it; the plaintext of a secret key exists
// at most as a Data Protection ciphertext, and only while the reveal policy allows.
public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public KeyEnvironment Environment { get; set; }
    public KeyKind Kind { get; set; }

    public required byte[] Digest { get; set; }
    public required string Prefix { get; set; }
    public required string LastFour { get; set; }

    // Public keys only: they are not secret.
    public string? PublicValue { get; set; }

    // Secret keys only, and only while revealable.
    public string? ProtectedSecret { get; set; }
    public DateTimeOffset? FirstRevealedAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
    public Guid? CreatedByUserId { get; set; }
    public DateTimeOffset? LastUsedAt { get; set; }

    // Set when the key stops being the active one (rotation or revocation).
    public DateTimeOffset? RevokedAt { get; set; }

    // When it stops verifying: equal to RevokedAt for an immediate rotation, later with a grace period.
    public DateTimeOffset? ExpiresAt { get; set; }
    public Guid? ReplacedByKeyId { get; set; }

    // Set when a secret scanner found the key in public (docs/leak-reports.md), with where.
    public DateTimeOffset? ExposedAt { get; set; }
    public string? ExposedUrl { get; set; }

    public bool IsActive => RevokedAt is null;
}
