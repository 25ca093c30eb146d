using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Datakeen.Portal.Infrastructure.Telemetry;

namespace Datakeen.Portal.Credits;

// Group commit for debits (docs/benchmarks.md, "Group commit"): while one batch is in the database, the debits
// that arrive wait here and go together in the next batch, one statement and one commit for all of them. No
// timer: a debit that finds nothing in flight starts a batch at once, so a quiet instance adds no latency.
// One batch in flight per instance: concurrent batches would only wait on each other's account rows.
internal sealed class DebitBatches
{
    // Large enough that a busy instance empties its queue in one batch; small enough that one batch's
    // statement stays short (its account rows are locked until it commits).
    public const int MaxBatchSize = 128;

    private readonly ConcurrentQueue<PendingDebit> waiting = new();
    private readonly Func<IReadOnlyList<PendingDebit>, Task> execute;
    private readonly UpDownCounter<long> waitingDebits;
    private readonly Histogram<int> batchSizes;
    private int draining;

    // execute runs one batch and completes every debit of it (never throws).
    public DebitBatches(Func<IReadOnlyList<PendingDebit>, Task> execute, IMeterFactory meters)
    {
        this.execute = execute;
        var meter = meters.Create(PortalTelemetry.Name);
        waitingDebits = meter.CreateUpDownCounter<long>(
            "datakeen.credits.debits.waiting", "{debit}", "Debits waiting for the batch in flight to commit");
        batchSizes = meter.CreateHistogram<int>(
            "datakeen.credits.debit_batch.size", "{debit}", "Debits executed together in one statement (group commit)");
    }

    public Task<DebitRow> DebitAsync(PendingDebit debit)
    {
        waiting.Enqueue(debit);
        waitingDebits.Add(1);
        if (Interlocked.CompareExchange(ref draining, 1, 0) == 0)
        {
            // Runs on this thread up to the batch's first database wait (no thread hop for a lone debit), then on
            // the thread that completes it.
            _ = DrainAsync();
        }

        return debit.Completion.Task;
    }

    private async Task DrainAsync()
    {
        // The loop may outlive the request that started it: each batch's span names its own parent (CreditLedger)
        // instead of inheriting this request's (a change local to this method's flow).
        Activity.Current = null;
        while (true)
        {
            while (!waiting.IsEmpty)
            {
                var batch = new List<PendingDebit>(Math.Min(waiting.Count, MaxBatchSize));
                while (batch.Count < MaxBatchSize && waiting.TryDequeue(out var debit))
                {
                    batch.Add(debit);
                }

                waitingDebits.Add(-batch.Count);
                batchSizes.Record(batch.Count);
                await execute(batch);
            }

            Volatile.Write(ref draining, 0);
            // A debit enqueued after the last look but before the release would otherwise wait for the next one.
            if (waiting.IsEmpty || Interlocked.CompareExchange(ref draining, 1, 0) != 0)
            {
                return;
            }
        }
    }
}

// One debit waiting for its batch: its command, the entry id it will write, and where its row goes.
internal sealed class PendingDebit(ConsumeCommand command, Guid entryId)
{
    public ConsumeCommand Command { get; } = command;

    // The span of the request that queued the debit, which the batch's span names (parent or link).
    public ActivityContext Trace { get; } = Activity.Current?.Context ?? default;

    public Guid EntryId { get; } = entryId;

    // Completed from the batch's reader: the request's own continuation must not run on it.
    public TaskCompletionSource<DebitRow> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

// What the batch statement answers for one debit.
internal enum DebitVerdict : short
{
    // Executed now: debited or refused (no key, or the key claimed by this debit).
    Fresh = 0,
    // The key's first request already answered: its stored outcome.
    Replayed = 1,
    // The key was first used for a different request.
    KeyReused = 2,
    // The key has no answer to replay (a purged record, or a claim a previous version left unanswered).
    KeyInFlight = 3,
}

internal readonly record struct DebitRow(DebitVerdict Verdict, ConsumeAnswer? Answer);
