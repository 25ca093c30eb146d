using System.ComponentModel.DataAnnotations;
using MailKit.Security;
using Microsoft.Extensions.Options;

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

    // "StartTls" or "SslOnConnect" (TLS required); "None" (plain, only without credentials: a relay on the
    // same host); "Auto" (STARTTLS when offered, which an on-path attacker can strip) only in Development.
    // Unset: StartTls, and Auto in Development.
    [RegularExpression("(?i)^(Auto|None|StartTls|StartTlsWhenAvailable|SslOnConnect)$", ErrorMessage = "The field Security must be one of Auto, None, StartTls, StartTlsWhenAvailable, SslOnConnect.")]
    public string? Security { get; set; }

    internal const string RequiredTlsMessage =
        "Smtp:Security must be StartTls or SslOnConnect when Smtp:UserName is set (the password would cross the network " +
        "in clear text, or to whoever strips STARTTLS); Auto only in Development (environment variable Smtp__Security).";

    // How often the sender looks for due mail, and the retry backoff after a failure (doubling, capped).
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);
    [Range(typeof(TimeSpan), "00:00:00.050", "1.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);
    [Range(typeof(TimeSpan), "00:00:00.050", "7.00:00:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    // Mail queued per recipient within an hour, beyond which more is not queued (the portal cannot be made to
    // flood someone's inbox by repeating an action).
    public int MaxMailsPerRecipientPerHour { get; set; } = 30;

    // Base address of the portal, for links in mail (e.g. https://portal.datakeen.example).
    [Url]
    public string? PortalUrl { get; set; }

    // The transport security to use, or null when this combination is refused (RequiredTlsMessage).
    public SecureSocketOptions? EffectiveSecurity(bool development)
    {
        var security = string.IsNullOrWhiteSpace(Security)
            ? development ? SecureSocketOptions.Auto : SecureSocketOptions.StartTls
            : Enum.TryParse<SecureSocketOptions>(Security, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) ? parsed : (SecureSocketOptions?)null;
        var hasCredentials = !string.IsNullOrEmpty(UserName);
        return security switch
        {
            null => null,
            SecureSocketOptions.StartTls or SecureSocketOptions.SslOnConnect => security,
            SecureSocketOptions.StartTlsWhenAvailable or SecureSocketOptions.Auto => development ? security : null,
            SecureSocketOptions.None => hasCredentials ? null : security,
            _ => null,
        };
    }
}

// Without a host environment (an operator verb composes its own services), the rules of Production apply.
internal sealed class SmtpOptionsValidation(IHostEnvironment? environment = null) : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options) =>
        string.IsNullOrWhiteSpace(options.Host) || options.EffectiveSecurity(environment?.IsDevelopment() == true) is not null
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(SmtpOptions.RequiredTlsMessage);
}
