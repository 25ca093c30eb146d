namespace Datakeen.Portal.ApiKeys;

public static class ApiKeysServiceCollectionExtensions
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<ApiKeyProvisioner>();
        return services;
    }

    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder api) => api;
}
