using Microsoft.AspNetCore.StaticAssets;

namespace Datakeen.Portal.Auth;

// Paths that are not pages: no sign-in redirect for them.
public static class PortalPaths
{
    public static bool IsApi(PathString path) => path.StartsWithSegments("/api");

    public static bool IsAnonymousInfrastructure(HttpContext http)
    {
        var path = http.Request.Path;
        return IsApi(path)
            || path.StartsWithSegments("/healthz")
            || path.StartsWithSegments("/readyz")
            || path.StartsWithSegments("/openapi")
            || path.StartsWithSegments("/docs") // the API reference (Swagger UI) over the OpenAPI document
            || path.StartsWithSegments("/_framework")
            || path.StartsWithSegments("/_content")
            || http.GetEndpoint()?.Metadata.GetMetadata<StaticAssetDescriptor>() is not null;
    }
}
