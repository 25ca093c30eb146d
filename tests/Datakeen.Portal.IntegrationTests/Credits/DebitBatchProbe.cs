using System.Diagnostics.Metrics;

namespace Datakeen.Portal.IntegrationTests.Credits;

// Watches one ledger's group commit through its meters (those created by the given IMeterFactory only, so other
// tests' portals running in parallel are not heard): how many debits wait for the batch in flight, and the size of
// each batch as it starts. Tests use it to put debits into one batch deterministically: hold the first batch in the
// database (a row lock), queue the others one by one, release.
internal sealed class DebitBatchProbe : IDisposable
{
    private readonly MeterListener listener = new();
    private readonly object gate = new();
    private readonly List<int> batches = [];
    private readonly List<(Func<bool> Condition, TaskCompletionSource Done)> waits = [];
    private long waiting;

    public DebitBatchProbe(IMeterFactory scope)
    {
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Scope == scope &&
                instrument.Name is "datakeen.credits.debits.waiting" or "datakeen.credits.debit_batch.size")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Update(() => waiting += value));
        listener.SetMeasurementEventCallback<int>((_, value, _, _) => Update(() => batches.Add(value)));
        listener.Start();
    }

    public int[] BatchSizes
    {
        get
        {
            lock (gate)
            {
                return [.. batches];
            }
        }
    }

    public Task BatchesStartedAsync(int count) => WhenAsync(() => batches.Count >= count);

    public Task WaitingAsync(long count) => WhenAsync(() => waiting == count);

    public void Dispose() => listener.Dispose();

    private void Update(Action change)
    {
        lock (gate)
        {
            change();
            foreach (var wait in waits.Where(w => w.Condition()).ToList())
            {
                waits.Remove(wait);
                wait.Done.TrySetResult();
            }
        }
    }

    // A condition that never comes fails the test instead of hanging it.
    private async Task WhenAsync(Func<bool> condition)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (gate)
        {
            if (condition())
            {
                return;
            }

            waits.Add((condition, done));
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
    }
}

// A test's own transaction holding a credit account's row lock: a batch that debits that account waits for it.
internal sealed class AccountRowLock : IAsyncDisposable
{
    private readonly Npgsql.NpgsqlConnection connection;
    private readonly Npgsql.NpgsqlTransaction transaction;

    private AccountRowLock(Npgsql.NpgsqlConnection connection, Npgsql.NpgsqlTransaction transaction)
    {
        this.connection = connection;
        this.transaction = transaction;
    }

    public static async Task<AccountRowLock> HoldAsync(Npgsql.NpgsqlDataSource dataSource, Guid workspaceId, string environment)
    {
        var connection = await dataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT 1 FROM credit_accounts WHERE workspace_id = $1 AND environment = $2 FOR UPDATE", connection, transaction)
        {
            Parameters = { new() { Value = workspaceId }, new() { Value = environment } },
        };
        Assert.Equal(1, await command.ExecuteScalarAsync());
        return new AccountRowLock(connection, transaction);
    }

    public async ValueTask DisposeAsync()
    {
        await transaction.RollbackAsync();
        await connection.DisposeAsync();
    }
}
