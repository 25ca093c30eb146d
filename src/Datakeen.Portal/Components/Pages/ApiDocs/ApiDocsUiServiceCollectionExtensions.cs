using Datakeen.Portal.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

public static class ApiDocsUiServiceCollectionExtensions
{
    // What the API & Docs tab components need beyond the key and credit services.
    public static IServiceCollection AddApiDocsUi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<BaseUrlOptions>(configuration, BaseUrlOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<ClipboardCopier>();
        services.AddSingleton<TabStaticParts>();
        // One per page request and one per circuit: what the static page and its islands share.
        services.AddScoped<Datakeen.Portal.Components.Layout.WorkspaceContexts>();
        services.AddScoped<ApiDocsTabState>();
        services.AddScoped<Datakeen.Portal.Components.Layout.IslandsRendered>();
        return services;
    }
}
