using Datakeen.Portal.Infrastructure;
using System.Text.Json.Serialization;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.SecretScanning;
using Datakeen.Portal.ServiceApi;

namespace Datakeen.Portal.Hosting;

// Composition of the public HTTP API (v1): problem details, rate limiting, OpenAPI, endpoints.
public static class PortalApi
{
    public static IServiceCollection AddPortalApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddSingleton<ApiRoutes>();
        services.AddRateLimiter(_ => { });
        // Numbers are JSON numbers only (no "5" for 5): what the document says ("integer") is what the API accepts.
        services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        services.AddOpenApi("v1", ApiOpenApi.Configure);
        return services;
    }

    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        var api = app.MapGroup(PortalPaths.ApiV1);
        api.MapApiKeyEndpoints();
        api.MapCreditEndpoints();
        api.MapKeyVerifyEndpoint();
        api.MapLeakReportEndpoints();
        return app;
    }
}
