using Datakeen.Portal.Testing;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.IntegrationTests.Notifications;

// A deployment that would send its SMTP password over a strippable STARTTLS does not start, and says why.
public sealed class SmtpTransportTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Theory]
    [InlineData("Auto")]
    [InlineData("None")]
    public async Task Credentials_without_required_tls_stop_the_portal_at_startup(string security)
    {
        await using var portal = new PortalFactory(database.ConnectionString, new Dictionary<string, string?>
        {
            ["Smtp:Host"] = "smtp.example",
            ["Smtp:UserName"] = "portal",
            ["Smtp:Password"] = "secret",
            ["Smtp:Security"] = security,
        });

        var failure = Assert.ThrowsAny<Exception>(() => portal.Services);

        var validation = failure as OptionsValidationException ?? failure.InnerException as OptionsValidationException;
        Assert.NotNull(validation);
        Assert.Contains("Smtp:Security must be StartTls or SslOnConnect", validation.Message);
        Assert.DoesNotContain("secret", validation.Message);
    }
}
