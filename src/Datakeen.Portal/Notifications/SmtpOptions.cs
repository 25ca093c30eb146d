namespace Datakeen.Portal.Notifications;

// Outgoing mail (Smtp__Host, Smtp__Port, Smtp__From, …). Without a host, mail waits in the outbox.
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 25;
    public string From { get; set; } = "Datakeen <no-reply@datakeen.example>";
    public string? UserName { get; set; }
    public string? Password { get; set; }

    // "Auto" (STARTTLS when offered), "None", "StartTls", "SslOnConnect".
    public string Security { get; set; } = "Auto";

    // How often the sender looks for due mail, and the retry backoff after a failure (doubling, capped).
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    // Base address of the portal, for links in mail (e.g. https://portal.datakeen.example).
    public string? PortalUrl { get; set; }
}
