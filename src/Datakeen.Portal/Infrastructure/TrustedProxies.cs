using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Datakeen.Portal.Infrastructure;

// Forwarded headers (X-Forwarded-For, X-Forwarded-Proto) are believed only from the proxies named in
// ForwardedHeaders:KnownProxies (addresses) and ForwardedHeaders:KnownNetworks (CIDR), comma-separated: the
// client's address (rate limits, audit) and the scheme (secure cookies, redirects) are what that proxy says,
// and whatever a client sends itself is ignored. Without either setting no forwarded header is read.
// ASPNETCORE_FORWARDEDHEADERS_ENABLED (which trusts every sender) is refused in Production (RequiredSettings).
public static class TrustedProxies
{
    public const string KnownProxiesKey = "ForwardedHeaders:KnownProxies";
    public const string KnownNetworksKey = "ForwardedHeaders:KnownNetworks";

    public static IServiceCollection AddTrustedProxies(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The nearest proxy's entry only: it replaced (nginx) whatever the client had sent.
            options.ForwardLimit = 1;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var address in Split(configuration[KnownProxiesKey]))
            {
                options.KnownProxies.Add(IPAddress.Parse(address));
            }
            foreach (var network in Split(configuration[KnownNetworksKey]))
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }

    public static bool IsConfigured(IConfiguration configuration) =>
        Split(configuration[KnownProxiesKey]).Any() || Split(configuration[KnownNetworksKey]).Any();

    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        if (IsConfigured(app.Configuration))
        {
            app.UseForwardedHeaders();
        }
        return app;
    }

    // Messages for RequiredSettings: each malformed entry, naming its variable.
    internal static IEnumerable<string> Problems(IConfiguration configuration)
    {
        foreach (var address in Split(configuration[KnownProxiesKey]).Where(a => !IPAddress.TryParse(a, out _)))
        {
            yield return $"{KnownProxiesKey} has '{address}', which is not an IP address (environment variable ForwardedHeaders__KnownProxies, comma-separated).";
        }
        foreach (var network in Split(configuration[KnownNetworksKey]).Where(n => !System.Net.IPNetwork.TryParse(n, out _)))
        {
            yield return $"{KnownNetworksKey} has '{network}', which is not a network in CIDR notation such as 10.0.0.0/8 (environment variable ForwardedHeaders__KnownNetworks, comma-separated).";
        }
    }

    private static IEnumerable<string> Split(string? value) =>
        (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
