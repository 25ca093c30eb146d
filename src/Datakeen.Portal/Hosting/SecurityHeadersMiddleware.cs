using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Auth;

namespace Datakeen.Portal.Hosting;

// The security headers that belong to every response (docs/architecture.md).
public static class SecurityHeadersMiddleware
{
    // Blazor Server needs 'unsafe-inline' styles (MudBlazor sets style attributes) and wasm-unsafe-eval is
    // not needed; scripts come only from this origin.
    // Forms post only to the portal, and to the OpenID Connect provider (sign-out continues there).
    internal static string ContentSecurityPolicy(string? providerAuthority) =>
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; " +
        $"form-action 'self'{OriginOf(providerAuthority)}; object-src 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        var contentSecurityPolicy = ContentSecurityPolicy(app.ApplicationServices.GetService<OidcSettings>()?.Authority);
        return app.Use(async (context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = contentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                // Pages and API answers can carry key material: never cache them. Fingerprinted static
                // assets arrive with their own long-lived Cache-Control and keep it.
                if (string.IsNullOrEmpty(headers.CacheControl) || !PortalPaths.IsStaticAsset(context))
                {
                    headers.CacheControl = "no-store";
                }
                return Task.CompletedTask;
            });
            await next();
        });
    }

    private static string OriginOf(string? authority) =>
        Uri.TryCreate(authority, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? " " + uri.GetLeftPart(UriPartial.Authority)
            : "";
}
