using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Infrastructure.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Datakeen.Portal.Credits;

// The only writer of credit balances. Every change is one transaction holding the balance update,
// the ledger entry that explains it and the NOTIFY that tells the other instances, so the balance
// always equals the sum of the entries.
public sealed class CreditLedger(
    IDbContextFactory<PortalDbContext> contexts,
    NpgsqlDataSource dataSource,
    AuditLog audit,
    TimeProvider time)
{
    public const int MaxConsumeAmount = 100;

    private const string IdempotencyRecordKeyConstraint = "pk_idempotency_records";
    private const string LedgerIdempotencyIndex = "ux_credit_ledger_idempotency";

    // One statement, so one implicit transaction and one round trip: the conditional debit (PostgreSQL
    // re-checks `balance >= n` on the row it locked, so concurrent consumers can never overspend and a
    // refused one writes nothing), the entry that explains it, the NOTIFY (delivered on commit) and, for an
    // Idempotency-Key, the stored answer. The account row stays locked only while the statement runs, never
    // across client round trips, which is what keeps a hot workspace fast.
    private const string DebitAndEntrySql =
        "WITH debit AS (" +
        " UPDATE credit_accounts SET balance = balance - $1, updated_at = now()" +
        " WHERE workspace_id = $2 AND environment = $3 AND balance >= $1" +
        " RETURNING id, balance), " +
        "entry AS (" +
        " INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after," +
        " is_welcome_grant, reference, idempotency_key, actor_api_key_id, created_at)" +
        " SELECT $4, debit.id, $2, $3, 'Consume', -$1, debit.balance, false, $5, $6, $7, $8 FROM debit" +
        " RETURNING balance_after) ";

    // The Idempotency-Key's record is inserted already answered (the 201, its body completed with the new
    // balance, or the 402) by the statement that debits: there is no separate claim, so a first request costs
    // one round trip. A data-modifying CTE always runs. Deliberately no ON CONFLICT: all CTEs share one
    // snapshot, so only the unique indexes can tell a request that it lost a race. When the key was already
    // used (answered, or in the transaction of a concurrent request, which this statement then waits for),
    // the record's primary key or the ledger's unique (workspace_id, idempotency_key) index fails the WHOLE
    // statement: its debit and entry roll back with it, and the caller replays the stored answer instead.
    private const string AnswerSql =
        ", answer AS (" +
        " INSERT INTO idempotency_records (workspace_id, key, request_hash, response_status, response_body," +
        " created_at, completed_at)" +
        " VALUES ($2, $6, $11, CASE WHEN EXISTS (SELECT 1 FROM entry) THEN 201 ELSE $12 END," +
        " COALESCE((SELECT $13 || balance_after || $14 FROM entry), $15), $8, $8)) ";

    private const string NotifyAndReturnSql = "SELECT entry.balance_after, pg_notify($9, $10) FROM entry";

    // Upsert: an operator may grant to an account that workspace creation has not opened (older data).
    private const string GrantSql =
        "INSERT INTO credit_accounts (id, workspace_id, environment, balance, created_at, updated_at) " +
        "VALUES ($4, $2, $3, $1, $5, $5) " +
        "ON CONFLICT (workspace_id, environment) DO UPDATE SET balance = credit_accounts.balance + $1, updated_at = $5 " +
        "RETURNING id, balance";

    // Debits the account of (workspace, environment). With an answer, what to replay for the request's
    // Idempotency-Key is stored by the same statement, so a crash can never leave a debit without its
    // recorded answer (or an answer without its debit). Throws a unique violation (see IsKeyAlreadyUsed)
    // when the key was already used, having written nothing.
    public async Task<ConsumeResult> ConsumeAsync(ConsumeCommand command, IdempotentAnswer? answer = null,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(command.Amount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(command.Amount, MaxConsumeAmount);
        if (answer is not null && command.IdempotencyKey is null)
        {
            throw new ArgumentException("An answer can only be stored for a request with an Idempotency-Key.", nameof(answer));
        }

        using var activity = PortalTelemetry.Source.StartActivity("credits.consume");
        var now = time.GetUtcNow();
        var entryId = command.EntryId ?? Guid.CreateVersion7(now);
        // The hot path talks to Npgsql directly: no EF Core context is needed for one raw statement.
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var sql = answer is null
            ? DebitAndEntrySql + NotifyAndReturnSql
            : DebitAndEntrySql + AnswerSql + NotifyAndReturnSql;
        await using var consume = new NpgsqlCommand(sql, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<long> { TypedValue = command.Amount },
                new NpgsqlParameter<Guid> { TypedValue = command.WorkspaceId },
                new NpgsqlParameter<string> { TypedValue = command.Environment.ToString() },
                new NpgsqlParameter<Guid> { TypedValue = entryId },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = (object?)command.Reference ?? DBNull.Value },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = (object?)command.IdempotencyKey ?? DBNull.Value },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = (object?)command.ActorApiKeyId ?? DBNull.Value },
                new NpgsqlParameter<DateTimeOffset> { TypedValue = now },
                new NpgsqlParameter<string> { TypedValue = ChangeFeed.CreditChannel },
                new NpgsqlParameter<string> { TypedValue = ChangePayload.For(command.WorkspaceId, command.Environment.ToString()) },
            },
        };
        if (answer is not null)
        {
            consume.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = answer.RequestHash });
            consume.Parameters.Add(new NpgsqlParameter<int> { TypedValue = answer.Refused.Status });
            consume.Parameters.Add(new NpgsqlParameter<string> { TypedValue = answer.ConsumedBodyBeforeBalance });
            consume.Parameters.Add(new NpgsqlParameter<string> { TypedValue = answer.ConsumedBodyAfterBalance });
            consume.Parameters.Add(new NpgsqlParameter<string> { TypedValue = answer.Refused.Body });
        }

        // Npgsql keeps prepared statements on pooled connections: parsed and planned once per connection.
        await consume.PrepareAsync(ct);
        await using var reader = await consume.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            activity?.SetTag("datakeen.outcome", "insufficient");
            return ConsumeResult.Insufficient(command);
        }

        PortalTelemetry.CreditsConsumed.Add(command.Amount, new KeyValuePair<string, object?>("environment", command.Environment.ToString()));
        activity?.SetTag("datakeen.outcome", "consumed");
        return ConsumeResult.Consumed(command, entryId, reader.GetInt64(0));
    }

    // Operators' grants (the grant-credits verb). Opens the account if it does not exist yet.
    public async Task<long> GrantAsync(Guid workspaceId, KeyEnvironment environment, long amount, string actorDescription,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(amount, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(actorDescription);

        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        Guid accountId;
        long balance;
        await using (var credit = new NpgsqlCommand(GrantSql, connection, (NpgsqlTransaction)transaction.GetDbTransaction()))
        {
            credit.Parameters.Add(new NpgsqlParameter<long> { TypedValue = amount });
            credit.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = workspaceId });
            credit.Parameters.Add(new NpgsqlParameter<string> { TypedValue = environment.ToString() });
            credit.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = Guid.CreateVersion7(now) });
            credit.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
            await using var reader = await credit.ExecuteReaderAsync(ct);
            await reader.ReadAsync(ct);
            accountId = reader.GetGuid(0);
            balance = reader.GetInt64(1);
        }

        db.CreditLedgerEntries.Add(new CreditLedgerEntry
        {
            Id = Guid.CreateVersion7(now),
            AccountId = accountId,
            WorkspaceId = workspaceId,
            Environment = environment,
            Type = LedgerEntryType.Grant,
            Amount = amount,
            BalanceAfter = balance,
            ActorDescription = TextColumns.Fit(actorDescription, CreditLedgerEntry.MaxActorDescriptionLength),
            CreatedAt = now,
        });
        audit.Add(db, AuditActions.CreditsGranted, actor: null, workspaceId,
            target: $"credits:{environment.ToString().ToLowerInvariant()}", details: $"+{amount}, balance {balance}",
            actorDescription: actorDescription);
        await db.SaveChangesAsync(ct);
        await db.NotifyAsync(ChangeFeed.CreditChannel, ChangePayload.For(workspaceId, environment.ToString()), ct);
        await transaction.CommitAsync(ct);
        return balance;
    }

    // The error ConsumeAsync fails with when its Idempotency-Key was already used in the workspace: by a
    // stored answer (the record's primary key) or by a debit (the ledger's index, e.g. the record was purged).
    public static bool IsKeyAlreadyUsed(PostgresException e) =>
        e.SqlState == PostgresErrorCodes.UniqueViolation &&
        e.ConstraintName is IdempotencyRecordKeyConstraint or LedgerIdempotencyIndex;
}

public sealed record ConsumeCommand(
    Guid WorkspaceId,
    KeyEnvironment Environment,
    int Amount,
    string? Reference,
    string? IdempotencyKey,
    Guid? ActorApiKeyId,
    // Chosen by the caller when the answer to store must name the entry before it exists.
    Guid? EntryId = null);

public enum ConsumeOutcome
{
    Consumed,
    // Nothing was debited and no entry written.
    InsufficientCredits,
}

public sealed record ConsumeResult(ConsumeOutcome Outcome, KeyEnvironment Environment, int Amount, Guid? EntryId, long? Balance)
{
    public static ConsumeResult Consumed(ConsumeCommand command, Guid entryId, long balance) =>
        new(ConsumeOutcome.Consumed, command.Environment, command.Amount, entryId, balance);

    public static ConsumeResult Insufficient(ConsumeCommand command) =>
        new(ConsumeOutcome.InsufficientCredits, command.Environment, command.Amount, null, null);
}

// An HTTP answer kept for an Idempotency-Key, replayed byte for byte.
public sealed record StoredResponse(int Status, string Body);

// What to store for a request's Idempotency-Key, fixed before the outcome is known: the request's hash (to
// refuse the key with a different request), and the answer. A success (201) is stored as
// ConsumedBodyBeforeBalance + the new balance + ConsumedBodyAfterBalance, because only the debit knows the
// balance; a refusal is stored as Refused.
public sealed record IdempotentAnswer(byte[] RequestHash, string ConsumedBodyBeforeBalance, string ConsumedBodyAfterBalance, StoredResponse Refused);
