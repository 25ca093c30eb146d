namespace Datakeen.Portal.Workspaces;

public static class WorkspacesServiceCollectionExtensions
{
    public static IServiceCollection AddWorkspaces(this IServiceCollection services) => services;
}
