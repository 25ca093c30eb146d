using System.Security.Cryptography;
using System.Text;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.Credits;

// Idempotency-Key bookkeeping for consumption (Stripe's model): the first request claims the key in a
// short transaction of its own, its answer is stored by the statement that debits (see CreditLedger), and
// any later request with the key gets that answer replayed, or a conflict while it is still running.
public sealed class IdempotencyStore(IDbContextFactory<PortalDbContext> contexts, NpgsqlDataSource dataSource, TimeProvider time)
{
    // Records are kept at least this long, then purged.
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    // A claim still unanswered after this long belongs to a request that died between claiming and
    // debiting (an answer is stored atomically with its debit), so a retry may take the key over. Should the
    // old request still commit, the ledger's unique (workspace, idempotency_key) index refuses its entry.
    public static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(1);

    private const string ClaimSql =
        "INSERT INTO idempotency_records (workspace_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4) " +
        "ON CONFLICT DO NOTHING";

    private const string ReadSql =
        "SELECT request_hash, response_status, response_body, created_at FROM idempotency_records " +
        "WHERE workspace_id = $1 AND key = $2";

    private const string TakeOverSql =
        "UPDATE idempotency_records SET created_at = $3 " +
        "WHERE workspace_id = $1 AND key = $2 AND response_status IS NULL AND created_at < $4";

    private const string ReleaseSql =
        "DELETE FROM idempotency_records WHERE workspace_id = $1 AND key = $2 AND response_status IS NULL";

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

    public async Task<IdempotencyClaim> ClaimAsync(Guid workspaceId, string key, byte[] requestHash, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);

        // The record may vanish between the two statements (its request failed and released it, or it was
        // purged): then claiming again is right, and a few rounds always settle.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var now = time.GetUtcNow();
            if (await ExecuteAsync(connection, ClaimSql, ct, workspaceId, key, requestHash, now) == 1)
            {
                return IdempotencyClaim.Claimed;
            }

            await using var read = Command(connection, ReadSql, workspaceId, key);
            await using var reader = await read.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                continue;
            }

            var storedHash = reader.GetFieldValue<byte[]>(0);
            int? status = reader.IsDBNull(1) ? null : reader.GetInt32(1);
            var body = reader.IsDBNull(2) ? null : reader.GetString(2);
            var createdAt = reader.GetFieldValue<DateTimeOffset>(3);
            await reader.DisposeAsync();

            if (!CryptographicOperations.FixedTimeEquals(storedHash, requestHash))
            {
                return IdempotencyClaim.Reused;
            }

            if (status is not null)
            {
                return IdempotencyClaim.Completed(new StoredResponse(status.Value, body ?? ""));
            }

            if (createdAt < now - AbandonedAfter &&
                await ExecuteAsync(connection, TakeOverSql, ct, workspaceId, key, now, now - AbandonedAfter) == 1)
            {
                return IdempotencyClaim.Claimed;
            }

            return IdempotencyClaim.InFlight;
        }

        return IdempotencyClaim.InFlight;
    }

    // The request that claimed the key failed without an answer worth keeping: let a retry proceed.
    public async Task ReleaseAsync(Guid workspaceId, string key)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await ExecuteAsync(connection, ReleaseSql, CancellationToken.None, workspaceId, key);
    }

    public async Task<int> PurgeAsync(CancellationToken ct = default)
    {
        var cutoff = time.GetUtcNow() - Retention;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.IdempotencyRecords.Where(r => r.CreatedAt < cutoff).ExecuteDeleteAsync(ct);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object[] values)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        return command;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object[] values)
    {
        await using var command = Command(connection, sql, values);
        await command.PrepareAsync(ct);
        return await command.ExecuteNonQueryAsync(ct);
    }
}

public sealed record IdempotencyClaim(IdempotencyClaimOutcome Outcome, StoredResponse? Response)
{
    public static readonly IdempotencyClaim Claimed = new(IdempotencyClaimOutcome.Claimed, null);
    public static readonly IdempotencyClaim InFlight = new(IdempotencyClaimOutcome.InFlight, null);
    public static readonly IdempotencyClaim Reused = new(IdempotencyClaimOutcome.Reused, null);

    public static IdempotencyClaim Completed(StoredResponse response) => new(IdempotencyClaimOutcome.Completed, response);
}

public enum IdempotencyClaimOutcome
{
    // This request owns the key: go ahead.
    Claimed,
    // The first request with this key is still running.
    InFlight,
    // The first request finished: replay its answer.
    Completed,
    // The key was first used for a different request.
    Reused,
}
