using StackExchange.Redis;

namespace Datakeen.Portal.Infrastructure.Scaling;

public static class ScalingServiceCollectionExtensions
{
    // Redis is optional: one instance needs none. With `Redis:Configuration` (a StackExchange.Redis
    // configuration string) the instances share their rate-limit windows through it (docs/deploy.md).
    public static IServiceCollection AddScaling(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<PortalInstance>();
        services.AddSingleton<InMemoryRateWindows>();
        if (configuration["Redis:Configuration"] is { Length: > 0 } redis)
        {
            // Parsed when first needed: RequiredSettings reports a malformed string at start, by name.
            services.AddSingleton<IConnectionMultiplexer>(_ =>
            {
                var options = ConfigurationOptions.Parse(redis);
                // Start without Redis and keep reconnecting: a Redis outage degrades the limits to per
                // instance, it does not stop the portal.
                options.AbortOnConnectFail = false;
                // While disconnected, fail at once (and count in memory) rather than queue behind a timeout.
                options.BacklogPolicy = BacklogPolicy.FailFast;
                options.ClientName ??= "datakeen-portal";
                return ConnectionMultiplexer.Connect(options);
            });
            services.AddSingleton<IRateWindows, RedisRateWindows>();
        }
        else
        {
            services.AddSingleton<IRateWindows>(sp => sp.GetRequiredService<InMemoryRateWindows>());
        }

        return services;
    }
}
