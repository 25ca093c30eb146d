using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
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

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Portal", ConnectionString);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            builder.UseSetting(key, value);
        }

        if (LogCapture is { } capture)
        {
            builder.ConfigureLogging(logging => logging
                .AddProvider(capture)
                .AddFilter<CapturedLogs>(null, LogLevel.Debug));
        }
    }
}
