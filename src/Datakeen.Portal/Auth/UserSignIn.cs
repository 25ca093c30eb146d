using System.Security.Claims;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Auth;

// Runs once per successful OpenID Connect sign-in: records the person keyed by (issuer, subject), then runs the
// registered sign-in steps (ISignInStep) in the same transaction.
public sealed class UserSignIn(IDbContextFactory<PortalDbContext> contextFactory, IEnumerable<ISignInStep> steps, TimeProvider time)
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

        // Other features' part of a sign-in (Workspaces attaches the operator's invitations), in this transaction.
        var person = new SignedInPerson(id, name ?? email, emailVerified ? email : null, connection);
        foreach (var step in steps)
        {
            await step.OnSignedInAsync(db, person, ct);
        }

        await transaction.CommitAsync(ct);
        return id;
    }

    // The display name as the portal keeps and shows it (docs/security.md): one line, no control characters.
    public static string? CleanName(string? name) => StorableText.WithoutControlCharacters(StorableText.Sanitize(name));

    private static string? Fit(string? value, int max) =>
        string.IsNullOrEmpty(value) ? null : TextColumns.Fit(value, max);
}
