namespace Datakeen.Portal.Usage;

public static class UsageServiceCollectionExtensions
{
    // Counting happens in ApiKeys (ApiKeyUsageTracker, flushed by ApiKeyUsageFlusher); this is the reading side.
    public static IServiceCollection AddKeyUsage(this IServiceCollection services)
    {
        services.AddSingleton<KeyUsageQueries>();
        services.AddSingleton<IKeyUsageQueries>(sp => sp.GetRequiredService<KeyUsageQueries>());
        services.AddHostedService<KeyUsageRetentionJob>();
        return services;
    }
}
