using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Workspaces;
using Microsoft.AspNetCore.Authentication;

namespace Datakeen.Portal.ApiKeys;

public static class ApiKeysServiceCollectionExtensions
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddValidatedOptions<ApiKeyOptions>(configuration, ApiKeyOptions.SectionName);
        services.AddSingleton<ApiKeySecrets>();
        services.AddSingleton<ApiKeyIssuer>();
        services.AddSingleton<ApiKeyProvisioner>();
        services.AddSingleton<IWorkspaceProvisioning>(sp => sp.GetRequiredService<ApiKeyProvisioner>());
        services.AddSingleton<ApiKeyVerifier>();
        services.AddSingleton<ApiKeyUsageTracker>();
        services.AddSingleton<KeyActivityRecorder>();
        services.AddSingleton<ApiRateLimits>();
        services.AddSingleton<KeyAdmission>();
        services.AddSingleton<KeyMail>();
        services.AddSingleton<ApiKeyListing>();
        services.AddSingleton<SecretReveal>();
        services.AddSingleton<KeyRotation>();
        services.AddSingleton<KeyAllowedOrigins>();
        services.AddSingleton<KeyActivityQueries>();
        services.AddSingleton<IKeyActivityQueries>(sp => sp.GetRequiredService<KeyActivityQueries>());
        services.AddSingleton<ApiKeyManager>();
        services.AddSingleton<IApiKeyManager>(sp => sp.GetRequiredService<ApiKeyManager>());
        services.AddSingleton<ApiKeyUsageFlusher>();
        services.AddHostedService(sp => sp.GetRequiredService<ApiKeyUsageFlusher>());
        services.AddSingleton<KeyActivityWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<KeyActivityWriter>());
        services.AddHostedService<KeyActivityRetentionJob>();
        services.AddSingleton<GraceEndingNotices>();
        services.AddHostedService(sp => sp.GetRequiredService<GraceEndingNotices>());

        // Not the default scheme: pages use cookies / OpenID Connect, and the API policies name this scheme.
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyClaims.AuthenticationScheme, null);
        services.AddAuthorizationBuilder().AddApiKeyPolicies();
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", ApiKeyOpenApi.Configure);
        return services;
    }
}
