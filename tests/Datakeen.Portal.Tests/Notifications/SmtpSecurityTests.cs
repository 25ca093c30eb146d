using Datakeen.Portal.Notifications;
using MailKit.Security;

namespace Datakeen.Portal.Tests.Notifications;

// SMTP credentials never cross a connection that can be downgraded: with a user name, only StartTls or
// SslOnConnect; opportunistic STARTTLS (Auto) only in Development; unset means StartTls outside Development.
public sealed class SmtpSecurityTests
{
    [Theory]
    [InlineData(null, false, SecureSocketOptions.StartTls)]
    [InlineData(null, true, SecureSocketOptions.Auto)]
    [InlineData("StartTls", false, SecureSocketOptions.StartTls)]
    [InlineData("SslOnConnect", false, SecureSocketOptions.SslOnConnect)]
    [InlineData("Auto", true, SecureSocketOptions.Auto)]
    public void Credentials_go_only_over_required_tls_outside_development(string? security, bool development, SecureSocketOptions expected)
    {
        var options = new SmtpOptions { Host = "smtp.example", UserName = "portal", Password = "secret", Security = security };

        Assert.Equal(expected, options.EffectiveSecurity(development));
    }

    [Theory]
    [InlineData("Auto", false)]
    [InlineData("StartTlsWhenAvailable", false)]
    [InlineData("None", false)]
    [InlineData("None", true)]
    [InlineData("Whatever", false)]
    public void A_downgradable_transport_with_credentials_is_refused(string security, bool development)
    {
        var options = new SmtpOptions { Host = "smtp.example", UserName = "portal", Password = "secret", Security = security };

        Assert.Null(options.EffectiveSecurity(development));
    }

    [Fact]
    public void Plain_smtp_without_credentials_stays_possible_for_a_local_relay()
    {
        var options = new SmtpOptions { Host = "localhost", Security = "None" };

        Assert.Equal(SecureSocketOptions.None, options.EffectiveSecurity(development: false));
    }
}
