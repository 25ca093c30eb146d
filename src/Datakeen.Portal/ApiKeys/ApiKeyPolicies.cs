using Microsoft.AspNetCore.Authorization;

namespace Datakeen.Portal.ApiKeys;

// Authorization policies of the HTTP API. Both name the ApiKey scheme themselves, so they work whatever
// the default (cookie / OpenID Connect) scheme of the pages is.
public static class ApiKeyPolicies
{
    public const string AnyKey = "ApiKey.Any";
    public const string SecretKey = "ApiKey.Secret";

    public static AuthorizationBuilder AddApiKeyPolicies(this AuthorizationBuilder builder) => builder
        .AddPolicy(AnyKey, policy => policy
            .AddAuthenticationSchemes(ApiKeyClaims.AuthenticationScheme)
            .RequireAuthenticatedUser())
        .AddPolicy(SecretKey, policy => policy
            .AddAuthenticationSchemes(ApiKeyClaims.AuthenticationScheme)
            .RequireAuthenticatedUser()
            .RequireClaim(ApiKeyClaims.KeyType, ApiKeyClaims.SecretKeyType));
}
