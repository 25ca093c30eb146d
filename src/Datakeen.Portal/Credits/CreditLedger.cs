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

// The only writer of credit balances. Every change is one transaction holding the balance update and the
// ledger entry that explains it, so the balance always equals the sum of the entries. The other instances
// (and the open meters) hear of a debit by a coalesced NOTIFY sent after its commit (CoalescedNotifier): a
// hint, not a record; grants, which are rare, NOTIFY inside their transaction.
public sealed class CreditLedger(
    IDbContextFactory<PortalDbContext> contexts,
    NpgsqlDataSource dataSource,
    AuditLog audit,
    TimeProvider time,
    CoalescedNotifier notifier,
    CreditBalanceCache balances,
    CreditAlerts? alerts = null)
{
    public const int MaxConsumeAmount = 100;

    private const string IdempotencyRecordKeyConstraint = "pk_idempotency_records";
    private const string LedgerIdempotencyIndex = "ux_credit_ledger_idempotency";

    // One statement, so one implicit transaction and one round trip: the conditional debit (PostgreSQL
    // re-checks `balance >= n` on the row it locked, so concurrent consumers can never overspend and a
    // refused one writes nothing), the entry that explains it and, for an Idempotency-Key, the stored answer.
    // No NOTIFY in it: PostgreSQL serialises the commits of transactions that NOTIFY (one queue lock), which
    // halved the debit's throughput (docs/benchmarks.md); the change is announced after the commit instead. The account row stays locked only while the statement runs, never
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

    // The Idempotency-Key's record is inserted already answered (the success, its body completed with the new
    // balance, or the refusal) by the statement that debits: there is no separate claim, so a first request costs
    // one round trip. A data-modifying CTE always runs. Deliberately no ON CONFLICT: all CTEs share one
    // snapshot, so only the unique indexes can tell a request that it lost a race. When the key was already
    // used (answered, or in the transaction of a concurrent request, which this statement then waits for),
    // the record's primary key or the ledger's unique (workspace_id, idempotency_key) index fails the WHOLE
    // statement: its debit and entry roll back with it, and the caller replays the stored answer instead.
    private const string AnswerSql =
        ", answer AS (" +
        " INSERT INTO idempotency_records (workspace_id, key, request_hash, response_status, response_body," +
        " created_at, completed_at)" +
        " VALUES ($2, $6, $9, CASE WHEN EXISTS (SELECT 1 FROM entry) THEN $14 ELSE $10 END," +
        " COALESCE((SELECT $11 || balance_after || $12 FROM entry), $13), $8, $8)) ";

    private const string ReturnSql = "SELECT entry.balance_after FROM entry";

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
            ? DebitAndEntrySql + ReturnSql
            : DebitAndEntrySql + AnswerSql + ReturnSql;
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
            },
        };
        if (answer is not null)
        {
            consume.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = answer.RequestHash });
            consume.Parameters.Add(new NpgsqlParameter<int> { TypedValue = answer.Refused.Status });
            consume.Parameters.Add(new NpgsqlParameter<string> { TypedValue = answer.ConsumedBodyBeforeBalance });
            consume.Parameters.Add(new NpgsqlParameter<string> { TypedValue = answer.ConsumedBodyAfterBalance });
            consume.Parameters.Add(new NpgsqlParameter<string> { TypedValue = answer.Refused.Body });
            consume.Parameters.Add(new NpgsqlParameter<int> { TypedValue = answer.ConsumedStatus });
        }

        // Npgsql keeps prepared statements on pooled connections: parsed and planned once per connection.
        await consume.PrepareAsync(ct);
        long balance;
        await using (var reader = await consume.ExecuteReaderAsync(ct))
        {
            if (!await reader.ReadAsync(ct))
            {
                activity?.SetTag("datakeen.outcome", "insufficient");
                return ConsumeResult.Insufficient(command);
            }

            balance = reader.GetInt64(0);
        }

        // Committed: this instance's cached balance is stale now; the others hear of it by the coalesced NOTIFY.
        balances.Evict(command.WorkspaceId);
        notifier.Enqueue(ChangeFeed.CreditChannel, ChangePayload.For(command.WorkspaceId, command.Environment.ToString()));

        PortalTelemetry.CreditsConsumed.Add(command.Amount, new KeyValuePair<string, object?>("environment", command.Environment.ToString()));
        activity?.SetTag("datakeen.outcome", "consumed");

        // A cheap follow-up, only for the one debit that crossed a threshold (test credits low or gone).
        if (alerts is not null && CreditAlerts.Crossed(command.Environment, command.Amount, balance))
        {
            await alerts.OnCrossedAsync(command.WorkspaceId, command.Amount, balance, CancellationToken.None);
        }

        return ConsumeResult.Consumed(command, entryId, balance);
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
// refuse the key with a different request), and the answer. A success (ConsumedStatus) is stored as
// ConsumedBodyBeforeBalance + the new balance + ConsumedBodyAfterBalance, because only the debit knows the
// balance; a refusal is stored as Refused.
public sealed record IdempotentAnswer(byte[] RequestHash, string ConsumedBodyBeforeBalance, string ConsumedBodyAfterBalance,
    StoredResponse Refused, int ConsumedStatus = StatusCodes.Status201Created)
{
    // The balance in a success body serialized before the debit: replaced by the real balance afterwards.
    public const long BalancePlaceholder = long.MinValue;

    // From a success body whose balance is BalancePlaceholder (exactly once).
    public static IdempotentAnswer Create(byte[] requestHash, int consumedStatus, string consumedBody, StoredResponse refused)
    {
        var placeholder = BalancePlaceholder.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var at = consumedBody.IndexOf(placeholder, StringComparison.Ordinal);
        if (at < 0 || consumedBody.IndexOf(placeholder, at + 1, StringComparison.Ordinal) >= 0)
        {
            throw new ArgumentException("The success body must hold the balance placeholder exactly once.", nameof(consumedBody));
        }

        return new IdempotentAnswer(requestHash, consumedBody[..at], consumedBody[(at + placeholder.Length)..], refused, consumedStatus);
    }

    public StoredResponse Consumed(long balance) => new(ConsumedStatus,
        ConsumedBodyBeforeBalance + balance.ToString(System.Globalization.CultureInfo.InvariantCulture) + ConsumedBodyAfterBalance);
}
