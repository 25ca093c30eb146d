namespace Datakeen.Portal.Auditing;

// Append-only record of a security-relevant action. Never holds a key's plaintext: keys are
// referred to by id and display hint only.
public sealed class AuditEvent
{
    public long Id { get; set; }
    public Guid? WorkspaceId { get; set; }
    public Guid? ActorUserId { get; set; }
    public string? ActorDescription { get; set; }
    public required string Action { get; set; }
    public string? Target { get; set; }
    public string? Details { get; set; }
    public bool Succeeded { get; set; } = true;
    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }
    public DateTimeOffset OccurredAt { get; set; }
}
