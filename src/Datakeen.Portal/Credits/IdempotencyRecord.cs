namespace Datakeen.Portal.Credits;

// The first request made with an Idempotency-Key and, once finished, the answer it got.
public sealed class IdempotencyRecord
{
    public Guid WorkspaceId { get; set; }
    public required string Key { get; set; }
    public required byte[] RequestHash { get; set; }

    // Null while the first request is still running.
    public int? ResponseStatus { get; set; }
    public string? ResponseBody { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}
