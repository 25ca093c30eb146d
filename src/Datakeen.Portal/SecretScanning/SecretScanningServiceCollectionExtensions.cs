using Datakeen.Portal.Infrastructure;
namespace Datakeen.Portal.SecretScanning;

public static class SecretScanningServiceCollectionExtensions
{
    public static IServiceCollection AddSecretScanning(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<SecretScanningOptions>(configuration, SecretScanningOptions.SectionName);
        services.AddHttpClient(GitHubPublicKeys.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddSingleton<GitHubPublicKeys>();
        services.AddSingleton<LeakResponder>();
        services.AddSingleton<LeakImpactReport>();
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", LeakReportOpenApi.Configure);
        return services;
    }
}
