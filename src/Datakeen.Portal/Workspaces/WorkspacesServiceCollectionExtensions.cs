namespace Datakeen.Portal.Workspaces;

public static class WorkspacesServiceCollectionExtensions
{
    public static IServiceCollection AddWorkspaces(this IServiceCollection services)
    {
        // Scoped: it depends on the key and credit seams, whatever lifetime those end up with.
        services.AddOptions<WorkspaceCreationLimits>().BindConfiguration(WorkspaceCreationLimits.SectionName);
        services.AddScoped<WorkspaceCreator>();
        services.AddSingleton<WorkspaceGuard>();
        services.AddSingleton<WorkspaceDirectory>();
        services.AddSingleton<WorkspaceMembers>();
        services.AddSingleton<Invitations>();
        services.AddSingleton<UserMenuRead>();
        services.AddSingleton<Datakeen.Portal.Auth.ISignInStep, InvitationsAtSignIn>();
        services.AddSingleton<WorkspaceAuditLog>();
        // After the database migrator (registered earlier by AddPortalData): hosted services start in order.
        services.AddHostedService<DemoWorkspaces>();
        return services;
    }
}
