using System.Security.Cryptography;
using System.Text;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Datakeen.Portal.DevIdentity;

public static class DevOpenIddictServer
{
    // Degraded mode: no application/token store. The checks that the store would make (known client,
    // secret, registered redirect URIs) are the event handlers below.
    public static IServiceCollection AddDevOpenIddictServer(this IServiceCollection services, DevClient client,
        IReadOnlyList<DevServiceClient> serviceClients)
    {
        services.AddOpenIddict().AddServer(server =>
        {
            server.SetAuthorizationEndpointUris("connect/authorize")
                .SetTokenEndpointUris("connect/token")
                .SetUserInfoEndpointUris("connect/userinfo")
                .SetEndSessionEndpointUris("connect/logout");
            server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            server.AllowClientCredentialsFlow();
            server.RegisterScopes([Scopes.OpenId, Scopes.Profile, Scopes.Email, .. DevServiceClients.Scopes(serviceClients)]);
            server.RegisterClaims(Claims.Subject, Claims.Email, Claims.EmailVerified, Claims.Name);
            server.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            server.DisableAccessTokenEncryption();
            server.EnableDegradedMode();
            server.UseAspNetCore()
                .EnableAuthorizationEndpointPassthrough()
                .EnableTokenEndpointPassthrough()
                .EnableUserInfoEndpointPassthrough()
                .EnableEndSessionEndpointPassthrough()
                .DisableTransportSecurityRequirement();

            server.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler =>
                handler.UseInlineHandler(context =>
                {
                    if (!string.Equals(context.ClientId, client.ClientId, StringComparison.Ordinal))
                    {
                        context.Reject(Errors.InvalidClient, "The client_id is not known to this provider.");
                    }
                    else if (!RedirectUriPolicy.IsAllowed(context.RedirectUri, client.RedirectUris,
                                 client.AllowAnyLoopbackPort, RedirectUriPolicy.SignInCallbackPath))
                    {
                        context.Reject(Errors.InvalidRequest, "The redirect_uri is not registered for this client.");
                    }
                    return ValueTask.CompletedTask;
                }));

            server.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler =>
                handler.UseInlineHandler(context =>
                {
                    if (context.Request.IsClientCredentialsGrantType())
                    {
                        DevServiceClients.Validate(context, serviceClients);
                    }
                    else if (!string.Equals(context.ClientId, client.ClientId, StringComparison.Ordinal) ||
                        string.IsNullOrEmpty(client.ClientSecret) ||
                        !CryptographicOperations.FixedTimeEquals(
                            Encoding.UTF8.GetBytes(context.ClientSecret ?? ""), Encoding.UTF8.GetBytes(client.ClientSecret)))
                    {
                        context.Reject(Errors.InvalidClient, "The client credentials are invalid.");
                    }
                    return ValueTask.CompletedTask;
                }));

            server.AddEventHandler<OpenIddictServerEvents.ValidateEndSessionRequestContext>(handler =>
                handler.UseInlineHandler(context =>
                {
                    if (context.PostLogoutRedirectUri is not null &&
                        !RedirectUriPolicy.IsAllowed(context.PostLogoutRedirectUri, client.PostLogoutRedirectUris,
                            client.AllowAnyLoopbackPort, RedirectUriPolicy.SignOutCallbackPath))
                    {
                        context.Reject(Errors.InvalidRequest, "The post_logout_redirect_uri is not registered for this client.");
                    }
                    return ValueTask.CompletedTask;
                }));
        });
        return services;
    }
}
