namespace Datakeen.Portal.Usage;

// Requests verified with one key on one UTC day: the daily roll-up that usage counts are flushed into
// (docs/usage.md). Rows older than KeyUsageRetentionJob.Retention are deleted.
public sealed class KeyUsageDay
{
    public Guid KeyId { get; set; }
    public Guid WorkspaceId { get; set; }
    public DateOnly Day { get; set; }
    public long Requests { get; set; }
}
