using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Datakeen.Portal.Credits;

// The only writer of credit balances. Every change is one transaction holding the balance update,
// the ledger entry that explains it and the NOTIFY that tells the other instances, so the balance
// always equals the sum of the entries.
public sealed class CreditLedger(IDbContextFactory<PortalDbContext> contexts, AuditLog audit, TimeProvider time)
{
    public const int MaxConsumeAmount = 100;

    // The conditional update is the whole concurrency story: PostgreSQL re-checks `balance >= n` on the
    // row it locked, so concurrent consumers can never overspend and a refused one writes nothing.
    private const string DebitSql =
        "UPDATE credit_accounts SET balance = balance - $1, updated_at = now() " +
        "WHERE workspace_id = $2 AND environment = $3 AND balance >= $1 RETURNING id, balance";

    private const string InsertEntrySql =
        "INSERT INTO credit_ledger_entries (id, account_id, workspace_id, environment, type, amount, balance_after, " +
        "is_welcome_grant, reference, idempotency_key, actor_api_key_id, created_at) " +
        "VALUES ($1, $2, $3, $4, 'Consume', $5, $6, false, $7, $8, $9, $10)";

    // Upsert: an operator may grant to an account that workspace creation has not opened (older data).
    private const string GrantSql =
        "INSERT INTO credit_accounts (id, workspace_id, environment, balance, created_at, updated_at) " +
        "VALUES ($4, $2, $3, $1, $5, $5) " +
        "ON CONFLICT (workspace_id, environment) DO UPDATE SET balance = credit_accounts.balance + $1, updated_at = $5 " +
        "RETURNING id, balance";

    private const string NotifySql = "SELECT pg_notify($1, $2)";

    // Debits the account of (workspace, environment). When `completion` is given, the answer to store
    // for the Idempotency-Key is written in the same transaction, so a crash can never leave a debit
    // without its recorded answer (or an answer without its debit).
    public async Task<ConsumeResult> ConsumeAsync(ConsumeCommand command, Func<ConsumeResult, StoredResponse>? completion = null,
        CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(command.Amount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(command.Amount, MaxConsumeAmount);

        await using var db = await contexts.CreateDbContextAsync(ct);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        Guid accountId;
        long balance;
        await using (var debit = new NpgsqlCommand(DebitSql, connection, transaction))
        {
            debit.Parameters.Add(new NpgsqlParameter<long> { TypedValue = command.Amount });
            debit.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = command.WorkspaceId });
            debit.Parameters.Add(new NpgsqlParameter<string> { TypedValue = command.Environment.ToString() });
            await using var reader = await debit.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                await reader.DisposeAsync();
                var refused = ConsumeResult.Insufficient(command);
                if (completion is not null)
                {
                    await ExecuteAsync(connection, transaction, ct, IdempotencyStore.CompleteCommand(command.WorkspaceId,
                        command.IdempotencyKey!, completion(refused), time.GetUtcNow()));
                }

                await transaction.CommitAsync(ct);
                return refused;
            }

            accountId = reader.GetGuid(0);
            balance = reader.GetInt64(1);
        }

        var result = ConsumeResult.Consumed(command, Guid.CreateVersion7(time.GetUtcNow()), balance);
        var now = time.GetUtcNow();
        var entry = new NpgsqlBatchCommand(InsertEntrySql)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid> { TypedValue = result.EntryId!.Value },
                new NpgsqlParameter<Guid> { TypedValue = accountId },
                new NpgsqlParameter<Guid> { TypedValue = command.WorkspaceId },
                new NpgsqlParameter<string> { TypedValue = command.Environment.ToString() },
                new NpgsqlParameter<long> { TypedValue = -command.Amount },
                new NpgsqlParameter<long> { TypedValue = balance },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = (object?)command.Reference ?? DBNull.Value },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Varchar, Value = (object?)command.IdempotencyKey ?? DBNull.Value },
                new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Uuid, Value = (object?)command.ActorApiKeyId ?? DBNull.Value },
                new NpgsqlParameter<DateTimeOffset> { TypedValue = now },
            },
        };
        var notify = NotifyCommand(command.WorkspaceId, command.Environment);
        // One round trip for the entry, the stored answer and the notification.
        if (completion is null)
        {
            await ExecuteAsync(connection, transaction, ct, entry, notify);
        }
        else
        {
            await ExecuteAsync(connection, transaction, ct, entry, notify,
                IdempotencyStore.CompleteCommand(command.WorkspaceId, command.IdempotencyKey!, completion(result), now));
        }

        await transaction.CommitAsync(ct);
        return result;
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
            ActorDescription = Truncate(actorDescription, 200),
            CreatedAt = now,
        });
        var auditEvent = audit.Add(db, AuditActions.CreditsGranted, actor: null, workspaceId,
            target: $"credits:{environment.ToString().ToLowerInvariant()}", details: $"+{amount}, balance {balance}");
        auditEvent.ActorDescription = Truncate(actorDescription, 200);
        await db.SaveChangesAsync(ct);
        await db.NotifyAsync(ChangeFeed.CreditChannel, ChangePayload.For(workspaceId, environment.ToString()), ct);
        await transaction.CommitAsync(ct);
        return balance;
    }

    internal static NpgsqlBatchCommand NotifyCommand(Guid workspaceId, KeyEnvironment environment) => new(NotifySql)
    {
        Parameters =
        {
            new NpgsqlParameter<string> { TypedValue = ChangeFeed.CreditChannel },
            new NpgsqlParameter<string> { TypedValue = ChangePayload.For(workspaceId, environment.ToString()) },
        },
    };

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct,
        params NpgsqlBatchCommand[] commands)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var command in commands)
        {
            batch.BatchCommands.Add(command);
        }

        await batch.ExecuteNonQueryAsync(ct);
    }

    private static string Truncate(string value, int length) => value.Length <= length ? value : value[..length];
}

public sealed record ConsumeCommand(
    Guid WorkspaceId,
    KeyEnvironment Environment,
    int Amount,
    string? Reference,
    string? IdempotencyKey,
    Guid? ActorApiKeyId);

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
