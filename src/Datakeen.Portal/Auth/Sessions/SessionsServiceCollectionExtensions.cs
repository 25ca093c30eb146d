using Datakeen.Portal.Infrastructure;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Auth.Sessions;

public static class SessionsServiceCollectionExtensions
{
    // Called by AddPortalAuth after the cookie scheme is added, so these settings win.
    public static IServiceCollection AddPortalSessions(this IServiceCollection services, IConfiguration configuration,
        string cookieScheme)
    {
        services.AddValidatedOptions<SessionOptions>(configuration, SessionOptions.SectionName);
        services.AddValidatedOptions<StepUpOptions>(configuration, StepUpOptions.SectionName);
        services.AddSingleton<UserSessions>();
        services.AddSingleton<StepUp>();
        services.AddSingleton<SessionTicketStore>();
        services.AddOptions<CookieAuthenticationOptions>(cookieScheme)
            .Configure<SessionTicketStore, IOptions<SessionOptions>>((cookie, store, sessions) =>
            {
                cookie.SessionStore = store;
                cookie.ExpireTimeSpan = sessions.Value.IdleTimeout;
                cookie.SlidingExpiration = true;
            });
        // Registered before AddRazorComponents, whose TryAdd then keeps this one.
        services.AddScoped<AuthenticationStateProvider, SessionRevalidatingStateProvider>();
        return services;
    }
}
