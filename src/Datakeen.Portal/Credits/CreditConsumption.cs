using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Credits;

// The one implementation of "debit once per Idempotency-Key" for every entry point that charges credits
// (POST /api/v1/credits/consume, the cost of POST /api/v1/keys/verify): the request's hash (what makes a retry
// a retry), the command, and the ledger's group-committed debit, which claims the key and stores its outcome.
// Each endpoint renders the ConsumeAnswer it gets, fresh or replayed, with the same code.
public sealed class CreditConsumption(CreditLedger ledger)
{
    public Task<ConsumeResult> ConsumeAsync(VerifiedKey key, string path, int amount, string? reference, string idempotencyKey,
        string requestId)
    {
        var requestHash = IdempotencyStore.HashRequest("POST", path, ApiKeyClaims.EnvironmentValue(key.Environment), amount, reference);
        // The portal's own ids are 32 characters; a longer one (another host's) must not fail the batch's statement.
        if (requestId.Length > IdempotencyRecord.MaxRequestIdLength)
        {
            requestId = requestId[..IdempotencyRecord.MaxRequestIdLength];
        }

        return ledger.ConsumeAsync(new ConsumeCommand(key.WorkspaceId, key.Environment, amount, reference, idempotencyKey, key.KeyId,
            requestHash, requestId));
    }
}
