using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Datakeen.Portal.Testing;

// The real portal (Program) on a real PostgreSQL database. Settings are passed as host settings so
// Program sees them while it composes services.
public class PortalFactory(string connectionString, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<Program>
{
    public string ConnectionString { get; } = connectionString;

    // When set, every log entry of the host (Debug and above) also goes here.
    public CapturedLogs? LogCapture { get; init; }

    // Registrations of the test host itself, applied after the portal's own (ConfigureTestServices).
    public Action<IServiceCollection>? TestServices { get; init; }

    // Starts the portal on a real loopback port (browsers and the OpenID Connect redirects need one)
    // and returns its address, e.g. http://127.0.0.1:41234.
    public Uri StartOnKestrel()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        return new Uri(address);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        // Outside Development the framework serves static web assets (MudBlazor's, blazor.web.js) only when asked.
        builder.UseStaticWebAssets();
        builder.UseSetting("ConnectionStrings:Portal", ConnectionString);
        builder.UseSetting("DataProtection:CertificatePath", TestCertificates.DataProtectionCertificatePath);
        builder.UseSetting("DataProtection:CertificatePassword", TestCertificates.Password);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (TestServices is { } testServices)
        {
            builder.ConfigureTestServices(testServices);
        }

        if (LogCapture is { } capture)
        {
            builder.ConfigureLogging(logging => logging
                .AddProvider(capture)
                .AddFilter<CapturedLogs>(null, LogLevel.Debug));
        }
    }
}
