using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Datakeen.Portal.Infrastructure;

// The browsable API reference linked from the tab's "Docs" link: Swagger UI over /openapi/v1.json,
// with its assets embedded in the package and served by the portal itself (no CDN).
public static class ApiReference
{
    public const string Path = "/docs";

    public static IServiceCollection AddApiReference(this IServiceCollection services) =>
        services.Configure<OpenApiOptions>("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Datakeen API";
            document.Info.Version = "v1";
            document.Info.Description =
                "Authenticate with `Authorization: Bearer <key>`. Test keys (`dk_test_…`) use the sandbox and its free " +
                "test credits; live keys (`dk_live_…`) use Production. Secret keys are for server-to-server calls only. " +
                "Errors are RFC 9457 problem details with a stable `code` member, explained per code at " + ApiErrors.ReferencePath + ".";
            document.Info.License = new OpenApiLicense { Name = "Datakeen terms of service", Url = new Uri("https://www.datakeen.co") };
            return Task.CompletedTask;
        }));

    public static IApplicationBuilder UseApiReference(this IApplicationBuilder app) =>
        app.UseSwaggerUI(options =>
        {
            options.RoutePrefix = Path.TrimStart('/');
            options.DocumentTitle = "Datakeen API reference";
            options.SwaggerEndpoint("/openapi/v1.json", "Datakeen API v1");
            options.EnableTryItOutByDefault();
        });
}
