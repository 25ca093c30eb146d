namespace Datakeen.Portal.ServiceApi;

public static class ServiceApiServiceCollectionExtensions
{
    public static IServiceCollection AddServiceApi(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        services.AddServiceTokenAuthentication(configuration, environment);
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", ServiceApiOpenApi.Configure);
        return services;
    }
}
