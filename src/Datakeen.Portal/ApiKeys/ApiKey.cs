using System.Linq.Expressions;

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

    // Public keys only: the web origins allowed to use the key (docs/key-activity.md); empty = any origin.
    public string[] AllowedOrigins { get; set; } = [];

    // A rotation "until the new key is first used": ExpiresAt is the 7-day bound until the new key's first
    // admitted request, which sets it to that time + ApiKeyOptions.FirstUseGrace and clears this flag.
    public bool GraceAwaitsFirstUse { get; set; }

    // When the admins were told that this key's grace period ends within the hour while it is still used.
    public DateTimeOffset? GraceEndingMailedAt { get; set; }

    public bool IsActive => RevokedAt is null;

    // The one rule of "this key still works": active, or replaced and still inside its grace period.
    // The verifier's cached copy (VerifiedKey), reveals, rotations, leak responses and the tab all ask here.
    public bool IsUsableAt(DateTimeOffset now) => IsUsable(RevokedAt, ExpiresAt, now);

    public static bool IsUsable(DateTimeOffset? revokedAt, DateTimeOffset? expiresAt, DateTimeOffset now) =>
        revokedAt is null || (expiresAt is { } expires && expires > now);

    // The same rule for a database query (ApiKeyUsabilityTests pins that both agree); orElse widens it.
    public static Expression<Func<ApiKey, bool>> UsableAt(DateTimeOffset now, Expression<Func<ApiKey, bool>>? orElse = null)
    {
        Expression<Func<ApiKey, bool>> usable = k => k.RevokedAt == null || k.ExpiresAt > now;
        if (orElse is null)
        {
            return usable;
        }

        var parameter = usable.Parameters[0];
        var other = new ParameterRebinder(orElse.Parameters[0], parameter).Visit(orElse.Body);
        return Expression.Lambda<Func<ApiKey, bool>>(Expression.OrElse(usable.Body, other), parameter);
    }

    private sealed class ParameterRebinder(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : node;
    }
}
