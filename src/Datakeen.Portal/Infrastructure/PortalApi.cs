using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.SecretScanning;

namespace Datakeen.Portal.Infrastructure;

// Composition of the public HTTP API (v1): problem details, rate limiting, OpenAPI, endpoints.
public static class PortalApi
{
    public static IServiceCollection AddPortalApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddRateLimiter(_ => { });
        services.AddOpenApi("v1");
        return services;
    }

    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup("/api/v1");
        api.MapApiKeyEndpoints();
        api.MapCreditEndpoints();
        api.MapLeakReportEndpoints();
        return app;
    }
}
