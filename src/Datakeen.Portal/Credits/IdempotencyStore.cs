using System.Security.Cryptography;
using System.Text;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Credits;

// Idempotency-Key bookkeeping for consumption (Stripe's model): the key is claimed and its outcome stored by the
// very statement that debits (CreditLedger), and a later request with the key gets that outcome back. This class
// owns what is around it: the hash that tells a retry from a different request, and the retention.
public sealed class IdempotencyStore(IDbContextFactory<PortalDbContext> contexts, TimeProvider time)
{
    // Records are kept at least this long, then purged.
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    // SHA-256 of the canonical form of a request, so the same key sent with a different request is caught.
    public static byte[] HashRequest(string method, string path, string environment, int amount, string? reference)
    {
        // Null and empty references differ; every part is length-prefixed so no two requests collide.
        var canonical = new StringBuilder();
        foreach (var part in new[] { method, path, environment, amount.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            canonical.Append(part.Length).Append(':').Append(part).Append('\n');
        }

        canonical.Append(reference is null ? "-" : $"{reference.Length}:{reference}");
        return SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString()));
    }

    public async Task<int> PurgeAsync(CancellationToken ct = default)
    {
        var cutoff = time.GetUtcNow() - Retention;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
