namespace Datakeen.Portal.SecretScanning;

// One token of one leak report (GitHub secret scanning), as received and as handled. Unique per
// (token digest, URL): the same report arriving again finds its row and changes nothing.
public sealed class LeakReport
{
    public Guid Id { get; set; }

    // SHA-256 of the reported token, lower-case hex: the key's digest when it is one of ours.
    public required string TokenHash { get; set; }
    public required string TokenType { get; set; }
    public required string Url { get; set; }
    public string? Source { get; set; }
    public DateTimeOffset ReceivedAt { get; set; }
    public Guid? WorkspaceId { get; set; }
    public Guid? ApiKeyId { get; set; }
    public required string Label { get; set; }
    public required string Outcome { get; set; }
}
