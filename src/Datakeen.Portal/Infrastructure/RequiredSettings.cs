using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Datakeen.Portal.Infrastructure;

// The settings a deployment cannot run without, checked when the host starts (ValidateOnStart) so that a
// container with a missing or malformed variable stops at once with a message that names it, instead of
// failing at the first sign-in or API call (docs/deploy.md).
public sealed class RequiredSettings;

internal sealed class RequiredSettingsValidation(IConfiguration configuration, IHostEnvironment environment)
    : IValidateOptions<RequiredSettings>
{
    // Development and the tests bring their own provider and database; Production must be told.
    private static readonly string[] RequiredInProduction =
        ["ConnectionStrings:Portal", "Oidc:Authority", "Oidc:ClientId", "Oidc:ClientSecret"];

    public ValidateOptionsResult Validate(string? name, RequiredSettings options)
    {
        var failures = new List<string>();
        if (environment.IsProduction())
        {
            failures.AddRange(RequiredInProduction
                .Where(key => string.IsNullOrWhiteSpace(configuration[key]))
                .Select(key => $"{key} is required (environment variable {key.Replace(":", "__", StringComparison.Ordinal)})."));
        }

        if (configuration["Redis:Configuration"] is { Length: > 0 } redis && !IsRedisConfiguration(redis))
        {
            failures.Add("Redis:Configuration is not a StackExchange.Redis configuration string, e.g. \"redis:6379,password=…\" (environment variable Redis__Configuration).");
        }

        if (configuration["Telemetry:PrometheusPort"] is { Length: > 0 } port && !(int.TryParse(port, out var p) && p is > 0 and < 65536))
        {
            failures.Add("Telemetry:PrometheusPort must be a TCP port (environment variable Telemetry__PrometheusPort).");
        }

        failures.AddRange(TrustedProxies.Problems(configuration));
        if (environment.IsProduction() && configuration.GetValue("FORWARDEDHEADERS_ENABLED", false))
        {
            failures.Add("ASPNETCORE_FORWARDEDHEADERS_ENABLED believes forwarded headers from any sender: name the proxies " +
                "instead (environment variables ForwardedHeaders__KnownProxies or ForwardedHeaders__KnownNetworks).");
        }

        // Outside Development /metrics belongs on its own listener, never on the port the public proxy reaches.
        if (!environment.IsDevelopment() && configuration.GetValue("Telemetry:PrometheusEnabled", false)
            && string.IsNullOrWhiteSpace(configuration["Telemetry:PrometheusPort"]))
        {
            failures.Add("Telemetry:PrometheusEnabled needs Telemetry:PrometheusPort outside Development, a listener of its own " +
                "(environment variable Telemetry__PrometheusPort, and that port in ASPNETCORE_URLS).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsRedisConfiguration(string value)
    {
        try
        {
            return ConfigurationOptions.Parse(value).EndPoints.Count > 0;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

public static class RequiredSettingsServiceCollectionExtensions
{
    public static IServiceCollection AddRequiredSettings(this IServiceCollection services)
    {
        services.AddSingleton<IValidateOptions<RequiredSettings>, RequiredSettingsValidation>();
        services.AddOptions<RequiredSettings>().ValidateOnStart();
        return services;
    }
}
