using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.Auth;

// Cross-site request forgery against the cookie: the Blazor hub (/_blazor: negotiate, WebSocket, long
// polling) and every state-changing request to the pages' side refuse a present Origin that is not one of
// the portal's public origins (403), and a request the browser marks as coming from another origin. SameSite=Lax does not stop a sibling subdomain, or another port of
// localhost, which are the same site; a WebSocket upgrade is not covered by CORS at all. The key-authenticated
// API (/api) and the provider's back-channel logout carry no cookie and are left to their own rules.
// Portal:PublicOrigins (space- or comma-separated, or an array) lists the origins; without it, the origin the
// request was made to (its scheme and Host) is the only one (docs/security.md).
public static class OriginCheck
{
    public const string SectionName = "Portal:PublicOrigins";

    public static IApplicationBuilder UseOriginCheck(this IApplicationBuilder app)
    {
        var configured = PublicOrigins(app.ApplicationServices.GetRequiredService<IConfiguration>());
        return app.Use(async (context, next) =>
        {
            if (IsGuarded(context.Request) && IsForeign(context.Request, configured))
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                context.Response.Headers.CacheControl = "no-store";
                await context.Response.WriteAsync("Cross-origin request refused.");
                return;
            }

            await next();
        });
    }

    internal static IReadOnlySet<string> PublicOrigins(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var values = section.Value is { } single ? [single] : section.GetChildren().Select(c => c.Value ?? "");
        return values
            .SelectMany(v => v.Split([' ', ',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(Normalize)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
    }

    // A foreign Origin; or, where the browser withholds the origin ("null": the portal's own Referrer-Policy
    // no-referrer makes Chromium send that on its form posts; or none at all), its Sec-Fetch-Site saying the
    // request comes from another origin. The hub accepts no "null": its requests are fetch and WebSocket,
    // which always carry the real origin.
    private static bool IsForeign(HttpRequest request, IReadOnlySet<string> configured)
    {
        var origin = request.Headers.Origin.ToString();
        var withheld = origin.Length == 0 || origin == "null";
        if (!withheld)
        {
            return !IsAllowed(origin, request, configured);
        }

        var fetchSite = request.Headers["Sec-Fetch-Site"].ToString();
        return fetchSite is "cross-site" or "same-site" || (origin == "null" && request.Path.StartsWithSegments("/_blazor"));
    }

    private static bool IsGuarded(HttpRequest request) =>
        request.Path.StartsWithSegments("/_blazor") ||
        (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method) && !HttpMethods.IsOptions(request.Method) &&
         !HttpMethods.IsTrace(request.Method) && !PortalPaths.IsApi(request.Path) &&
         !request.Path.StartsWithSegments(BackChannelLogout.Path));

    private static bool IsAllowed(string origin, HttpRequest request, IReadOnlySet<string> configured)
    {
        var normalized = Normalize(origin);
        if (normalized is null)
        {
            return false; // several values, garbage
        }

        return configured.Count > 0
            ? configured.Contains(normalized)
            : string.Equals(normalized, Normalize($"{request.Scheme}://{request.Host.Value}"), StringComparison.Ordinal);
    }

    // scheme://host[:port], lower-case, the default port left out: the form browsers send.
    private static string? Normalize(string origin) =>
        Uri.TryCreate(origin.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" &&
        uri.AbsolutePath == "/" && string.IsNullOrEmpty(uri.Query) && string.IsNullOrEmpty(uri.UserInfo)
            ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant()
            : null;
}
