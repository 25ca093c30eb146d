using System.Buffers;
using System.Security.Cryptography;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Credits;

// Idempotency-Key bookkeeping for consumption (Stripe's model): the key is claimed and its outcome stored by the
// very statement that debits (CreditLedger), and a later request with the key gets that outcome back. This class
// owns what is around it: the hash that tells a retry from a different request, and the retention.
public sealed class IdempotencyStore(IDbContextFactory<PortalDbContext> contexts, TimeProvider time)
{
    // Records are kept at least this long, then purged.
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    // SHA-256 of the canonical form of a request, so the same key sent with a different request is caught. The form
    // is fixed (stored hashes must keep matching): each part as "<length in UTF-16 units>:<part>\n", then the
    // reference as "-" when null or "<length>:<reference>" (null and empty differ; nothing collides). Written into
    // a pooled buffer and hashed by Utf8Sha256: the hash is the only allocation.
    public static byte[] HashRequest(string method, string path, string environment, int amount, string? reference)
    {
        Span<char> number = stackalloc char[11];
        amount.TryFormat(number, out var numberLength, provider: System.Globalization.CultureInfo.InvariantCulture);
        var capacity = 5 * 24 + method.Length + path.Length + environment.Length + (reference?.Length ?? 0);
        var chars = ArrayPool<char>.Shared.Rent(capacity);
        try
        {
            var length = 0;
            Part(chars, ref length, method);
            Part(chars, ref length, path);
            Part(chars, ref length, environment);
            Part(chars, ref length, number[..numberLength]);
            if (reference is null)
            {
                chars[length++] = '-';
            }
            else
            {
                Prefix(chars, ref length, reference.Length);
                reference.CopyTo(chars.AsSpan(length));
                length += reference.Length;
            }

            var digest = new byte[SHA256.HashSizeInBytes];
            Utf8Sha256.Hash(chars.AsSpan(0, length), digest);
            return digest;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    private static void Part(char[] chars, ref int length, ReadOnlySpan<char> part)
    {
        Prefix(chars, ref length, part.Length);
        part.CopyTo(chars.AsSpan(length));
        length += part.Length;
        chars[length++] = '\n';
    }

    private static void Prefix(char[] chars, ref int length, int partLength)
    {
        partLength.TryFormat(chars.AsSpan(length), out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        length += written;
        chars[length++] = ':';
    }

    public async Task<int> PurgeAsync(CancellationToken ct = default)
    {
        var cutoff = time.GetUtcNow() - Retention;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}
