namespace Datakeen.Portal.Credits;

public static class CreditsServiceCollectionExtensions
{
    public static IServiceCollection AddCredits(this IServiceCollection services)
    {
        services.AddSingleton<WelcomeCredits>();
        return services;
    }

    public static IEndpointRouteBuilder MapCreditEndpoints(this IEndpointRouteBuilder api) => api;
}
