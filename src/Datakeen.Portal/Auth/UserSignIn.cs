using System.Security.Claims;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Auth;

// Runs once per successful OpenID Connect sign-in: records the person keyed by (issuer, subject) and
// attaches the operator's invitations waiting for their email address, but only when the provider asserts that
// the address is verified (otherwise anyone could claim an invitation by typing an address).
public sealed class UserSignIn(IDbContextFactory<PortalDbContext> contextFactory, AuditLog auditLog, TimeProvider time,
    ILogger<UserSignIn> logger)
{
    private const int MaxEmailLength = 320;
    private const int MaxNameLength = 200;

    public async Task<Guid> RecordAsync(string issuer, ClaimsPrincipal principal, ConnectionDetails? connection,
        CancellationToken ct = default)
    {
        // Claims of the provider are not refused over characters PostgreSQL cannot store: they are cleaned.
        issuer = StorableText.Sanitize(issuer)!;
        var subject = StorableText.Sanitize(principal.FindFirst(PortalClaims.Subject)?.Value);
        if (string.IsNullOrEmpty(issuer) || string.IsNullOrEmpty(subject))
        {
            throw new InvalidOperationException("The identity token has no issuer or subject.");
        }

        // An address that needs cleaning is no address to send invitations to.
        var rawEmail = principal.FindFirst(PortalClaims.Email)?.Value?.Trim();
        var email = rawEmail is not null && StorableText.IsStorable(rawEmail) ? Fit(rawEmail, MaxEmailLength) : null;
        var emailVerified = string.Equals(principal.FindFirst(PortalClaims.EmailVerified)?.Value, "true",
            StringComparison.OrdinalIgnoreCase);
        var name = Fit(CleanName(principal.FindFirst(PortalClaims.Name)?.Value), MaxNameLength);
        var now = time.GetUtcNow();

        await using var db = await contextFactory.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);

        // One statement, so two first sign-ins of the same person at once still make one user.
        var userId = await db.Database.SqlQuery<Guid>($"""
            INSERT INTO users (id, issuer, subject, email, email_verified, display_name, created_at, last_sign_in_at)
            VALUES ({Guid.CreateVersion7()}, {issuer}, {subject}, {email}, {emailVerified}, {name}, {now}, {now})
            ON CONFLICT (issuer, subject) DO UPDATE
              SET email = EXCLUDED.email, email_verified = EXCLUDED.email_verified,
                  display_name = EXCLUDED.display_name, last_sign_in_at = EXCLUDED.last_sign_in_at
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        var id = userId.Single();

        if (emailVerified && !string.IsNullOrEmpty(email))
        {
            // Only invitations of the operator (demo data, invited_by_user_id NULL) attach here; an invitation
            // sent by a person waits on /invitations for Accept (Workspaces/Invitations.cs), so nobody lands in a
            // look-alike workspace without choosing to. Skips a workspace where the user is already a member.
            var attached = await db.Database.SqlQuery<Guid>($"""
                UPDATE memberships m SET user_id = {id}
                WHERE m.user_id IS NULL AND m.invited_by_user_id IS NULL AND lower(m.invited_email) = lower({email})
                  AND NOT EXISTS (SELECT 1 FROM memberships x WHERE x.workspace_id = m.workspace_id AND x.user_id = {id})
                RETURNING m.workspace_id AS "Value"
                """).ToListAsync(ct);
            var actor = new Actor(id, name ?? email, connection?.IpAddress, connection?.UserAgent);
            foreach (var workspaceId in attached)
            {
                auditLog.Add(db, AuditActions.MemberAdded, actor, workspaceId, email, "invitation accepted at sign-in");
            }
            await db.SaveChangesAsync(ct);
            if (attached.Count > 0)
            {
                logger.LogInformation("User {UserId} joined {Count} workspace(s) by invitation", id, attached.Count);
            }
        }

        await transaction.CommitAsync(ct);
        return id;
    }

    // The display name as the portal keeps and shows it (docs/security.md): one line, no control characters.
    public static string? CleanName(string? name) => StorableText.WithoutControlCharacters(StorableText.Sanitize(name));

    private static string? Fit(string? value, int max) =>
        string.IsNullOrEmpty(value) ? null : TextColumns.Fit(value, max);
}
