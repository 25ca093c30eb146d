using Microsoft.AspNetCore.StaticAssets;

namespace Datakeen.Portal.Infrastructure;

// The path rules of the portal in one place: what is the HTTP API, what is a static asset, and what
// is neither a page nor the API (no sign-in redirect, no status-code page).
public static class PortalPaths
{
    public const string Api = "/api";
    public const string ApiV1 = "/api/v1";

    public static bool IsApi(PathString path) => path.StartsWithSegments(Api);

    // The gateway's auth_request hook (Gateway/GatewayEndpoints.cs).
    public const string Gateway = "/gateway";

    // Called by programs with their own credentials, never by a browser with the portal's cookie: the API and the
    // gateway hook. Nothing of the pages' pipeline (cookie authentication, status-code pages) runs for them.
    public static bool IsMachineEndpoint(PathString path) => IsApi(path) || path.StartsWithSegments(Gateway);

    // Files served as they are: mapped by MapStaticAssets (the endpoint says so), or the framework's and
    // the component libraries' own files.
    public static bool IsStaticAsset(HttpContext http) =>
        http.GetEndpoint()?.Metadata.GetMetadata<StaticAssetDescriptor>() is not null
        || http.Request.Path.StartsWithSegments("/_framework")
        || http.Request.Path.StartsWithSegments("/_content");

    public static bool IsAnonymousInfrastructure(HttpContext http)
    {
        var path = http.Request.Path;
        return IsApi(path)
            || path.StartsWithSegments("/healthz")
            || path.StartsWithSegments("/readyz")
            || path.StartsWithSegments("/openapi")
            || IsStaticAsset(http);
    }
}
