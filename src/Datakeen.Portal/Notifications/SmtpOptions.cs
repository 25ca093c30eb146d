using System.ComponentModel.DataAnnotations;

namespace Datakeen.Portal.Notifications;

// Outgoing mail (Smtp__Host, Smtp__Port, Smtp__From, …). Without a host, mail waits in the outbox.
public sealed class SmtpOptions
{
    public const string SectionName = "Smtp";

    public string? Host { get; set; }
    [Range(1, 65535)]
    public int Port { get; set; } = 25;
    [Required(AllowEmptyStrings = false)]
    public string From { get; set; } = "Datakeen <no-reply@datakeen.example>";
    public string? UserName { get; set; }
    public string? Password { get; set; }

    // "Auto" (STARTTLS when offered), "None", "StartTls", "SslOnConnect".
    [RegularExpression("(?i)^(Auto|None|StartTls|StartTlsWhenAvailable|SslOnConnect)$", ErrorMessage = "The field Security must be one of Auto, None, StartTls, StartTlsWhenAvailable, SslOnConnect.")]
    public string Security { get; set; } = "Auto";

    // How often the sender looks for due mail, and the retry backoff after a failure (doubling, capped).
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);
    [Range(typeof(TimeSpan), "00:00:00.050", "7.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    // Base address of the portal, for links in mail (e.g. https://portal.datakeen.example).
    [Url]
    public string? PortalUrl { get; set; }
}
