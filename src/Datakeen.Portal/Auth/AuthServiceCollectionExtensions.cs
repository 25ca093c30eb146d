namespace Datakeen.Portal.Auth;

// Seam for the sign-in issue: cookie + OpenID Connect, policies, login/logout endpoints.
public static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddPortalAuth(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        services.AddAuthentication();
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        return services;
    }

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app) => app;
}
