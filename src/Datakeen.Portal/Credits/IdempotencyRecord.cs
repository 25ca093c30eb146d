namespace Datakeen.Portal.Credits;

// The first request made with an Idempotency-Key and, once finished, its outcome: structured, not an HTTP body,
// so the fresh answer and every replay are rendered by the same code from the same values (ConsumeAnswer).
public sealed class IdempotencyRecord
{
    public const int MaxRequestIdLength = 64;

    public Guid WorkspaceId { get; set; }
    public required string Key { get; set; }
    public required byte[] RequestHash { get; set; }

    // ConsumeAnswer.ConsumedStatus or ConsumeAnswer.RefusedStatus; null while the first request is still running.
    public int? ResponseStatus { get; set; }

    // The debit's ledger entry and the balance after it; null when refused.
    public Guid? EntryId { get; set; }
    public long? Balance { get; set; }

    // The Request-Id of the first request, named by a refusal's problem.
    public string? RequestId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
