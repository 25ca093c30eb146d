using Datakeen.Portal.Auth;
using Datakeen.Portal.Infrastructure;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Datakeen.Portal.ServiceApi;

// The "ServiceToken" scheme: OAuth 2.0 access tokens (JWT) of Datakeen's own services, obtained with the
// client-credentials flow. Issuer, the API's own audience, an asymmetric signature (RS256/ES256, the provider's
// JWKS from its discovery document), expiry, an access token's `typ`, an allowed client and the scope are
// checked. A customer key, a user's ID token and a logout token are never accepted here.
public static class ServiceTokenAuthentication
{
    public const string Scheme = "ServiceToken";
    public const string VerifyPolicy = "ServiceApi.Verify";

    public static IServiceCollection AddServiceTokenAuthentication(this IServiceCollection services, IConfiguration configuration,
        IHostEnvironment environment)
    {
        var section = configuration.GetSection(ServiceApiOptions.SectionName);
        services.AddValidatedOptions<ServiceApiOptions>(configuration, ServiceApiOptions.SectionName)
            .PostConfigure(options =>
            {
                if (options.AllowedClients.Count == 0)
                {
                    options.AllowedClients.Add(ServiceApiOptions.DefaultClient);
                }
            });
        var settings = section.Get<ServiceApiOptions>() ?? new ServiceApiOptions();
        var relaxedTransport = environment.IsDevelopment() || environment.IsEnvironment("Testing");

        // JwtBearerHandler with its results remembered per token (ServiceTokenHandler); registered as AddJwtBearer
        // does, with the framework's post-configuration (the provider's metadata and configuration manager).
        services.AddSingleton<ServiceTokenResults>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<JwtBearerOptions>, JwtBearerPostConfigureOptions>());
        services.AddAuthentication().AddScheme<JwtBearerOptions, ServiceTokenHandler>(Scheme, options =>
        {
            // Without an authority of its own, the service-token check reads the provider exactly as the sign-in
            // does: the same discovery address (Oidc:MetadataAddress, e.g. the provider's in-network address in
            // docker-compose.yml) and the same HTTPS requirement (Oidc:RequireHttpsMetadata).
            var own = !string.IsNullOrWhiteSpace(settings.Authority);
            var oidc = OidcSettings.From(configuration);
            options.Authority = own ? settings.Authority : oidc.Authority;
            var metadataAddress = own ? settings.MetadataAddress : settings.MetadataAddress ?? oidc.MetadataAddress;
            if (!string.IsNullOrWhiteSpace(metadataAddress))
            {
                options.MetadataAddress = metadataAddress;
            }
            options.RequireHttpsMetadata = settings.RequireHttpsMetadata ?? (own ? null : oidc.RequireHttpsMetadata) ?? !relaxedTransport;
            options.Audience = settings.Audience;
            options.MapInboundClaims = false;
            options.TokenHandlers.Clear();
            options.TokenHandlers.Add(new JsonWebTokenHandler { MapInboundClaims = false });
            options.TokenValidationParameters.ValidateIssuer = true;
            options.TokenValidationParameters.ValidateAudience = true;
            options.TokenValidationParameters.ValidateLifetime = true;
            options.TokenValidationParameters.RequireExpirationTime = true;
            options.TokenValidationParameters.RequireSignedTokens = true;
            options.TokenValidationParameters.ClockSkew = settings.ClockSkew;
            // No HS256 (a symmetric key made of the public key), no "none": the provider's asymmetric keys only.
            options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256];
            options.TokenValidationParameters.TypeValidator = ValidateAccessTokenType;
            options.Events = new JwtBearerEvents
            {
                OnMessageReceived = RefuseCustomerKeys,
                OnTokenValidated = RequireServiceAccessToken,
                OnChallenge = WriteUnauthorizedAsync,
                OnForbidden = context => ServiceApiProblems.InsufficientScope().ExecuteAsync(context.HttpContext),
            };
        });
        // Expiry against the portal's clock (TimeProvider), like every other time rule of the portal.
        services.AddOptions<JwtBearerOptions>(Scheme).Configure<TimeProvider>((options, time) =>
            options.TokenValidationParameters.LifetimeValidator = (notBefore, expires, _, parameters) =>
                IsWithinLifetime(notBefore, expires, time, parameters.ClockSkew));

        services.AddAuthorizationBuilder().AddPolicy(VerifyPolicy, policy => policy
            .AddAuthenticationSchemes(Scheme)
            .RequireAuthenticatedUser()
            .RequireAssertion(context => HasScope(context, ServiceApiOptions.VerifyScope)));
        return services;
    }

    // A token's lifetime against the portal's clock: checked when the token is validated, and on every call that
    // reuses its remembered result (ServiceTokenHandler).
    internal static bool IsWithinLifetime(DateTime? notBefore, DateTime? expires, TimeProvider time, TimeSpan skew)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return expires is { } exp && exp > now - skew && (notBefore is not { } nbf || nbf <= now + skew);
    }

    // The allow-list as configured now: checked when the token is validated, and on every call that reuses its
    // remembered result, so a client taken off the list is refused from the next call on.
    internal static bool IsAllowedClient(string client, ServiceApiOptions options)
    {
        foreach (var allowed in options.AllowedClients)
        {
            if (string.Equals(allowed, client, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    // RFC 9068's "at+jwt" where the provider types its access tokens (OpenIddict); a plain "JWT" or none
    // (Keycloak) is left to the checks of RequireServiceAccessToken. Anything else (logout+jwt, …) is refused.
    private static string ValidateAccessTokenType(string? type, SecurityToken token, TokenValidationParameters parameters) =>
        type is null or "" || AccessTokenTypes.Contains(type)
            ? type ?? ""
            : throw new SecurityTokenInvalidTypeException("The token is not an access token.") { InvalidType = type };

    private static readonly HashSet<string> AccessTokenTypes = new(StringComparer.OrdinalIgnoreCase) { "at+jwt", "application/at+jwt", "JWT" };

    // What an access token of an allowed service client has, and an ID token has not: no nonce, Keycloak's own
    // typ claim (when present) saying Bearer, and a calling client (azp, or client_id) on the allow-list.
    // The caller (client and lifetime) of a token that passes goes into the request's features.
    private static Task RequireServiceAccessToken(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var options = context.HttpContext.RequestServices.GetRequiredService<IOptionsMonitor<ServiceApiOptions>>().CurrentValue;
        var client = ServiceClients.Of(principal);
        var keycloakType = principal.FindFirst("typ")?.Value;
        if (principal.HasClaim(c => c.Type == "nonce") ||
            (keycloakType is not null && !string.Equals(keycloakType, "Bearer", StringComparison.OrdinalIgnoreCase)) ||
            client is null || !IsAllowedClient(client, options))
        {
            context.Fail("Not an access token of an allowed service client.");
            return Task.CompletedTask;
        }

        // Absent claims read as DateTime.MinValue here.
        var token = context.SecurityToken;
        context.HttpContext.SetServiceCaller(new ServiceCaller(client,
            token.ValidFrom == DateTime.MinValue ? null : token.ValidFrom,
            token.ValidTo == DateTime.MinValue ? null : token.ValidTo));
        return Task.CompletedTask;
    }

    // RFC 9068 / OpenIddict / Keycloak: "scope", space-separated; Entra ID: "scp". Evaluated on every call (the
    // principal is remembered, the policy is not), so without splitting or LINQ.
    private static bool HasScope(AuthorizationHandlerContext context, string scope)
    {
        foreach (var identity in context.User.Identities)
        {
            foreach (var claim in identity.Claims)
            {
                if (claim.Type is "scope" or "scp" && ListsScope(claim.Value, scope))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool ListsScope(string scopes, string scope)
    {
        foreach (var range in scopes.AsSpan().Split(' '))
        {
            if (scopes.AsSpan()[range].SequenceEqual(scope))
            {
                return true;
            }
        }

        return false;
    }

    // A customer key (dk_…) is not even handed to the token handler: it can never be a service token, and
    // keeping it out of the JWT machinery keeps it out of its diagnostics too.
    private static Task RefuseCustomerKeys(MessageReceivedContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer dk_", StringComparison.OrdinalIgnoreCase))
        {
            context.NoResult();
        }

        return Task.CompletedTask;
    }

    private static async Task WriteUnauthorizedAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        await ServiceApiProblems.InvalidToken().ExecuteAsync(context.HttpContext);
    }
}

public static class ServiceApiProblems
{
    public const string InvalidTokenCode = ApiErrors.Codes.InvalidServiceToken;
    public const string InsufficientScopeCode = ApiErrors.Codes.InsufficientScope;

    public static IResult InvalidToken() => ApiProblem.Result(StatusCodes.Status401Unauthorized, InvalidTokenCode,
        "Invalid service token",
        "This endpoint is for Datakeen services: send an access token of the OpenID Connect provider obtained with the " +
        "client-credentials flow (scope 'datakeen.keys.verify') as 'Authorization: Bearer <token>'. Customer API keys are not accepted.");

    public static IResult InsufficientScope() => ApiProblem.Result(StatusCodes.Status403Forbidden, InsufficientScopeCode,
        "Insufficient scope", $"The service token lacks the scope '{ServiceApiOptions.VerifyScope}'.");
}
