namespace Datakeen.Portal.Notifications;

// One mail to one recipient, written in the transaction of what it reports and sent later by
// OutboxSender, so an SMTP outage delays mail and loses none.
public sealed class OutboxEmail
{
    public Guid Id { get; set; }
    public Guid? WorkspaceId { get; set; }
    public Guid? RecipientUserId { get; set; }
    public required string ToAddress { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public MailCategory Category { get; set; }

    // Set for mail that must go out once only (e.g. "test credits low"): unique per recipient.
    public string? DedupKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    // Due time; while a sender holds the mail, the end of its lease.
    public DateTimeOffset NextAttemptAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public string? LastError { get; set; }
}

public enum MailCategory
{
    // Always sent: keys leaked, rotated, revealed.
    Security,

    // Admins may mute these (credits running low or out).
    Notice,
}
