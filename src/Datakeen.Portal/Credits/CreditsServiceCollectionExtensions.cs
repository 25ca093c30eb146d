using Datakeen.Portal.Workspaces;

namespace Datakeen.Portal.Credits;

public static class CreditsServiceCollectionExtensions
{
    public static IServiceCollection AddCredits(this IServiceCollection services)
    {
        services.AddSingleton<WelcomeCredits>();
        services.AddSingleton<IWorkspaceProvisioning>(sp => sp.GetRequiredService<WelcomeCredits>());
        services.AddSingleton<CreditAlerts>();
        services.AddSingleton<CreditLedger>();
        services.AddSingleton<IdempotencyStore>();
        services.AddSingleton<CreditConsumption>();
        services.AddSingleton<CreditBalanceCache>();
        services.AddSingleton<CreditViews>();
        services.AddSingleton<ICreditQueries, CreditQueries>();
        services.AddHostedService<IdempotencyPurgeJob>();
        return services;
    }
}
