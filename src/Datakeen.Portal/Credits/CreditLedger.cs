using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Infrastructure.Telemetry;
using Microsoft.EntityFrameworkCore;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Datakeen.Portal.Credits;

// The only writer of credit balances. Every change is one transaction holding the balance update and the
// ledger entry that explains it, so the balance always equals the sum of the entries. Debits are group-committed
// (DebitBatches): the debits that arrive while a batch is in flight go together in the next one, one statement
// and one commit for all. The other instances (and the open meters) hear of a debit by a coalesced NOTIFY sent
// after its commit (CoalescedNotifier): a hint, not a record; grants, which are rare, NOTIFY inside their transaction.
public sealed class CreditLedger
{
    public const int MaxConsumeAmount = 100;

    // One statement for a whole batch (the function is created by the migration Issue22SetBasedDebitBatch):
    // arrays in, one row per debit out, in one implicit transaction, a fixed number of statements whatever the
    // batch's size. In it, each debit keeps its own outcome: its Idempotency-Key is claimed (first use in
    // arrival order; a key held by another transaction is waited for), the accounts are locked in (workspace,
    // environment) order (so concurrent batches never deadlock on them), then each debit is decided in arrival
    // order against its account's running balance, exactly as its own conditional update `balance = balance - n
    // WHERE balance >= n` would (a refusal subtracts nothing), and the balances, the entries and the keys'
    // records (status, entry id, balance, request id) are written at once. A debit whose key was used before
    // gets that key's record back (replay), or is told the key was reused or has no answer. No NOTIFY in it:
    // PostgreSQL serialises the commits of transactions that NOTIFY (docs/benchmarks.md); the change is
    // announced after the commit instead.
    private const string DebitBatchSql =
        "SELECT debit, verdict, answer_status, answer_entry, answer_balance, answer_request_id " +
        "FROM credits_debit_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";

    // Upsert: an operator may grant to an account that workspace creation has not opened (older data).
    private const string GrantSql =
        "INSERT INTO credit_accounts (id, workspace_id, environment, balance, created_at, updated_at) " +
        "VALUES ($4, $2, $3, $1, $5, $5) " +
        "ON CONFLICT (workspace_id, environment) DO UPDATE SET balance = credit_accounts.balance + $1, updated_at = $5 " +
        "RETURNING id, balance";

    private readonly IDbContextFactory<PortalDbContext> contexts;
    private readonly NpgsqlDataSource dataSource;
    private readonly AuditLog audit;
    private readonly TimeProvider time;
    private readonly CoalescedNotifier notifier;
    private readonly CreditBalanceCache balances;
    private readonly CreditAlerts? alerts;
    private readonly DebitBatches batches;

    public CreditLedger(IDbContextFactory<PortalDbContext> contexts, NpgsqlDataSource dataSource, AuditLog audit, TimeProvider time,
        CoalescedNotifier notifier, CreditBalanceCache balances, IMeterFactory meters, CreditAlerts? alerts = null)
    {
        this.contexts = contexts;
        this.dataSource = dataSource;
        this.audit = audit;
        this.time = time;
        this.notifier = notifier;
        this.balances = balances;
        this.alerts = alerts;
        batches = new DebitBatches(ExecuteAsync, meters);
    }

    // Debits the account of (workspace, environment), in the next batch. With an Idempotency-Key, the key's
    // outcome is stored by the same statement, so a crash can never leave a debit without its recorded answer
    // (or an answer without its debit), and a key used before gets its first outcome back (Replayed) instead.
    // Not cancellable: a debit that was queued runs to its stored outcome, which a retry gets.
    public async Task<ConsumeResult> ConsumeAsync(ConsumeCommand command)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(command.Amount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(command.Amount, MaxConsumeAmount);
        if (command.IdempotencyKey is not null && command.RequestHash is null)
        {
            throw new ArgumentException("A request with an Idempotency-Key needs its request hash.", nameof(command));
        }

        using var activity = PortalTelemetry.Source.StartActivity("credits.consume");
        var row = await batches.DebitAsync(new PendingDebit(command, Guid.CreateVersion7(time.GetUtcNow())));
        var result = row.Verdict switch
        {
            DebitVerdict.Fresh when row.Answer!.Consumed => new ConsumeResult(ConsumeOutcome.Consumed, row.Answer),
            DebitVerdict.Fresh => new ConsumeResult(ConsumeOutcome.InsufficientCredits, row.Answer),
            DebitVerdict.Replayed => new ConsumeResult(ConsumeOutcome.Replayed, row.Answer),
            DebitVerdict.KeyReused => new ConsumeResult(ConsumeOutcome.KeyReused, null),
            _ => new ConsumeResult(ConsumeOutcome.KeyInFlight, null),
        };
        activity?.SetTag("datakeen.outcome", result.Outcome switch
        {
            ConsumeOutcome.Consumed => "consumed",
            ConsumeOutcome.InsufficientCredits => "insufficient",
            ConsumeOutcome.Replayed => "replayed",
            ConsumeOutcome.KeyReused => "key_reused",
            _ => "key_in_flight",
        });
        if (result.Outcome != ConsumeOutcome.Consumed)
        {
            return result;
        }

        // Committed: this instance's cached balance is stale now; the others hear of it by the coalesced NOTIFY.
        var balance = result.Answer!.Balance!.Value;
        balances.Evict(command.WorkspaceId);
        notifier.Enqueue(ChangeFeed.CreditChannel, ChangePayload.For(command.WorkspaceId, command.Environment.ToString()));
        PortalTelemetry.CreditsConsumed.Add(command.Amount, new KeyValuePair<string, object?>("environment", command.Environment.ToString()));

        // A cheap follow-up, only for the one debit that crossed a threshold (test credits low or gone).
        if (alerts is not null && CreditAlerts.Crossed(command.Environment, command.Amount, balance))
        {
            await alerts.OnCrossedAsync(command.WorkspaceId, command.Amount, balance, CancellationToken.None);
        }

        return result;
    }

    // One batch: one statement. If it fails (one bad row, a deadlock with another instance's batch), every
    // debit of it is run again alone, so a failure is only ever the failing debit's own.
    private async Task ExecuteAsync(IReadOnlyList<PendingDebit> batch)
    {
        // In the trace of the batch's first request (a lone request's trace shows its SQL), linked to the others'.
        using var activity = PortalTelemetry.Source.HasListeners()
            ? PortalTelemetry.Source.StartActivity("credits.debit_batch", ActivityKind.Internal, batch[0].Trace,
                links: batch.Skip(1).Where(d => d.Trace != default).Select(d => new ActivityLink(d.Trace)).ToList())
            : null;
        activity?.SetTag("datakeen.batch_size", batch.Count);
        try
        {
            var rows = await RunAsync(batch);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Completion.SetResult(rows[i]);
            }

            return;
        }
        catch (Exception e) when (batch.Count == 1)
        {
            batch[0].Completion.SetException(e);
            return;
        }
        catch (Exception)
        {
            // Below, alone.
        }

        foreach (var debit in batch)
        {
            try
            {
                debit.Completion.SetResult((await RunAsync([debit]))[0]);
            }
            catch (Exception e)
            {
                debit.Completion.SetException(e);
            }
        }
    }

    private async Task<DebitRow[]> RunAsync(IReadOnlyList<PendingDebit> batch)
    {
        var n = batch.Count;
        var workspaces = new Guid[n];
        var environments = new string[n];
        var amounts = new long[n];
        var entries = new Guid[n];
        var references = new string?[n];
        var keys = new string?[n];
        var actors = new Guid?[n];
        var hashes = new byte[]?[n];
        var requestIds = new string?[n];
        for (var i = 0; i < n; i++)
        {
            var command = batch[i].Command;
            workspaces[i] = command.WorkspaceId;
            environments[i] = EnvironmentColumn(command.Environment);
            amounts[i] = command.Amount;
            entries[i] = batch[i].EntryId;
            references[i] = command.Reference;
            keys[i] = command.IdempotencyKey;
            actors[i] = command.ActorApiKeyId;
            hashes[i] = command.RequestHash;
            requestIds[i] = command.RequestId;
        }

        await using var connection = await dataSource.OpenConnectionAsync();
        await using var debit = new NpgsqlCommand(DebitBatchSql, connection)
        {
            Parameters =
            {
                new NpgsqlParameter<Guid[]> { TypedValue = workspaces },
                new NpgsqlParameter<string[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = environments },
                new NpgsqlParameter<long[]> { TypedValue = amounts },
                new NpgsqlParameter<Guid[]> { TypedValue = entries },
                new NpgsqlParameter<string?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = references },
                new NpgsqlParameter<string?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = keys },
                new NpgsqlParameter<Guid?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Uuid, TypedValue = actors },
                new NpgsqlParameter<byte[]?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea, TypedValue = hashes },
                new NpgsqlParameter<string?[]> { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text, TypedValue = requestIds },
                new NpgsqlParameter<DateTimeOffset> { TypedValue = time.GetUtcNow() },
                new NpgsqlParameter<int> { TypedValue = ConsumeAnswer.ConsumedStatus },
                new NpgsqlParameter<int> { TypedValue = ConsumeAnswer.RefusedStatus },
            },
        };

        // Npgsql keeps prepared statements on pooled connections: parsed and planned once per connection.
        await debit.PrepareAsync();
        var rows = new DebitRow[n];
        await using var reader = await debit.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var index = reader.GetInt32(0) - 1;
            var verdict = (DebitVerdict)reader.GetInt16(1);
            rows[index] = new DebitRow(verdict, reader.IsDBNull(2)
                ? null
                : new ConsumeAnswer(
                    reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetGuid(3),
                    reader.IsDBNull(4) ? null : reader.GetInt64(4),
                    reader.IsDBNull(5) ? null : reader.GetString(5)));
        }

        return rows;
    }

    private static string EnvironmentColumn(KeyEnvironment environment) =>
        environment == KeyEnvironment.Test ? nameof(KeyEnvironment.Test) : nameof(KeyEnvironment.Production);

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
}

public sealed record ConsumeCommand(
    Guid WorkspaceId,
    KeyEnvironment Environment,
    int Amount,
    string? Reference,
    string? IdempotencyKey,
    Guid? ActorApiKeyId,
    // With an Idempotency-Key: the request's hash (IdempotencyStore.HashRequest), so the same key sent with a
    // different request is caught, and its Request-Id, which a refusal names.
    byte[]? RequestHash = null,
    string? RequestId = null);

public enum ConsumeOutcome
{
    Consumed,
    // Not enough credits: nothing debited and no entry written (the refusal stored for the key).
    InsufficientCredits,
    // The key's first request already answered: its outcome, again.
    Replayed,
    // The key was first used for a different request: nothing done.
    KeyReused,
    // The key has no answer to replay (a purged record, or a claim left unanswered): nothing done.
    KeyInFlight,
}

// Answer: the outcome to render (fresh or replayed); null for KeyReused and KeyInFlight.
public sealed record ConsumeResult(ConsumeOutcome Outcome, ConsumeAnswer? Answer)
{
    public Guid? EntryId => Answer?.EntryId;

    public long? Balance => Answer?.Balance;
}

// The outcome of a debit as stored with its Idempotency-Key (IdempotencyRecord), the one source every answer
// to it is rendered from, the first and every replay: a success (the entry and the balance after it) or a
// refusal, and the Request-Id of the request that got it.
public sealed record ConsumeAnswer(int Status, Guid? EntryId, long? Balance, string? RequestId)
{
    public const int ConsumedStatus = StatusCodes.Status201Created;
    public const int RefusedStatus = StatusCodes.Status402PaymentRequired;

    public bool Consumed => Status == ConsumedStatus;
}
