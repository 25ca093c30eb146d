using Npgsql;

namespace Datakeen.Portal.Credits;

// The one implementation of "debit once per Idempotency-Key", shared by every entry point that charges
// credits (POST /api/v1/credits/consume, the cost of POST /api/v1/keys/verify): the debit stores its answer
// in the same statement (see CreditLedger), and a request whose key was already used gets that answer back.
public sealed class CreditConsumption(CreditLedger ledger, IdempotencyStore idempotency)
{
    public async Task<ConsumptionAnswer> ConsumeAsync(ConsumeCommand command, IdempotentAnswer answer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(command.IdempotencyKey);
        ConsumeResult result;
        try
        {
            // Not cancelled by the client going away: a request that reached the database runs to its stored
            // answer, which a retry gets.
            result = await ledger.ConsumeAsync(command, answer, CancellationToken.None);
        }
        catch (PostgresException e) when (CreditLedger.IsKeyAlreadyUsed(e))
        {
            // The key was used first by another request (maybe one racing this one, which the statement
            // waited for): nothing was written, and that request's answer is the one to give.
            var stored = await idempotency.FindAsync(command.WorkspaceId, command.IdempotencyKey, answer.RequestHash, ct);
            return stored.Outcome switch
            {
                IdempotencyLookupOutcome.Completed => new ConsumptionAnswer(ConsumptionOutcome.Replayed, stored.Response),
                IdempotencyLookupOutcome.Reused => new ConsumptionAnswer(ConsumptionOutcome.KeyReused, null),
                // No answer to replay (a purged record, or an unanswered claim of a previous version).
                _ => new ConsumptionAnswer(ConsumptionOutcome.KeyInFlight, null),
            };
        }

        return result.Outcome == ConsumeOutcome.Consumed
            ? new ConsumptionAnswer(ConsumptionOutcome.Consumed, answer.Consumed(result.Balance!.Value))
            : new ConsumptionAnswer(ConsumptionOutcome.Refused, answer.Refused);
    }
}

public enum ConsumptionOutcome
{
    Consumed,
    // Not enough credits: nothing debited, the refusal stored for the key.
    Refused,
    // The key's first request already answered: its answer, again.
    Replayed,
    // The key was first used for a different request.
    KeyReused,
    KeyInFlight,
}

// Response is the answer to give (fresh or replayed); null for KeyReused and KeyInFlight.
public sealed record ConsumptionAnswer(ConsumptionOutcome Outcome, StoredResponse? Response);
