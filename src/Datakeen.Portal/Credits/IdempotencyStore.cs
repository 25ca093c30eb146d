using System.Security.Cryptography;
using System.Text;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.Credits;

// Idempotency-Key bookkeeping for consumption (Stripe's model, without its separate claim): the first
// request's answer is stored by the very statement that debits (see CreditLedger), already complete, and a
// later request with the key, which that statement refuses, gets the stored answer replayed.
public sealed class IdempotencyStore(IDbContextFactory<PortalDbContext> contexts, NpgsqlDataSource dataSource, TimeProvider time)
{
    // Records are kept at least this long, then purged.
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    private const string ReadSql =
        "SELECT request_hash, response_status, response_body FROM idempotency_records WHERE workspace_id = $1 AND key = $2";

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

    // What a request refused with IsKeyAlreadyUsed gets. Read after the refusal, so the answer that refused
    // it has committed: the statement waited for it.
    public async Task<IdempotencyLookup> FindAsync(Guid workspaceId, string key, byte[] requestHash, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var read = new NpgsqlCommand(ReadSql, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid> { TypedValue = workspaceId },
                new NpgsqlParameter<string> { TypedValue = key },
            },
        };
        await using var reader = await read.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            // The key's entry is in the ledger but its record was purged (kept 24 hours).
            return IdempotencyLookup.Unanswered;
        }

        if (!CryptographicOperations.FixedTimeEquals(reader.GetFieldValue<byte[]>(0), requestHash))
        {
            return IdempotencyLookup.Reused;
        }

        // A record without an answer can only be a claim left by a previous version of the portal.
        return reader.IsDBNull(1)
            ? IdempotencyLookup.Unanswered
            : IdempotencyLookup.Completed(new StoredResponse(reader.GetInt32(1), reader.IsDBNull(2) ? "" : reader.GetString(2)));
    }

    public async Task<int> PurgeAsync(CancellationToken ct = default)
    {
        var cutoff = time.GetUtcNow() - Retention;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
    }
}

public sealed record IdempotencyLookup(IdempotencyLookupOutcome Outcome, StoredResponse? Response)
{
    public static readonly IdempotencyLookup Unanswered = new(IdempotencyLookupOutcome.Unanswered, null);
    public static readonly IdempotencyLookup Reused = new(IdempotencyLookupOutcome.Reused, null);

    public static IdempotencyLookup Completed(StoredResponse response) => new(IdempotencyLookupOutcome.Completed, response);
}

public enum IdempotencyLookupOutcome
{
    // The first request finished: replay its answer.
    Completed,
    // The key was first used for a different request.
    Reused,
    // No answer to replay: the key's record was purged, or is a claim a previous version left in flight.
    Unanswered,
}
