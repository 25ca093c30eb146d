using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Datakeen.Portal.DevIdentity;

// A machine client (client-credentials flow), e.g. the gateway that calls the portal's verify API.
public sealed class DevServiceClient
{
    public string ClientId { get; set; } = "";
    public string ClientSecret { get; set; } = "";
    public List<string> Scopes { get; set; } = [];

    // The `aud` of its access tokens: the API that accepts them.
    public string Audience { get; set; } = "";
}

// The checks a client store would make for service clients in degraded mode, and the principal of their tokens.
public static class DevServiceClients
{
    public static IEnumerable<string> Scopes(IEnumerable<DevServiceClient> clients) =>
        clients.SelectMany(c => c.Scopes).Distinct(StringComparer.Ordinal);

    public static void Validate(OpenIddictServerEvents.ValidateTokenRequestContext context, IReadOnlyList<DevServiceClient> clients)
    {
        var client = Find(clients, context.ClientId);
        if (client is null || string.IsNullOrEmpty(client.ClientSecret) ||
            !CryptographicOperations.FixedTimeEquals(
                Encoding.UTF8.GetBytes(context.ClientSecret ?? ""), Encoding.UTF8.GetBytes(client.ClientSecret)))
        {
            context.Reject(Errors.InvalidClient, "The client credentials are invalid.");
        }
        else if (context.Request.GetScopes().Any(s => !client.Scopes.Contains(s, StringComparer.Ordinal)))
        {
            context.Reject(Errors.InvalidScope, "The client may not request this scope.");
        }
    }

    // The token's subject is the client itself; it gets the scopes it asked for (all of its scopes when it
    // asked for none), and its audience.
    public static ClaimsPrincipal PrincipalFor(OpenIddictRequest request, IReadOnlyList<DevServiceClient> clients)
    {
        var client = Find(clients, request.ClientId)
            ?? throw new InvalidOperationException("The token request was validated for an unknown client.");
        var identity = new ClaimsIdentity("DevIdentity", Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, client.ClientId);
        identity.SetClaim(Claims.ClientId, client.ClientId);
        var scopes = request.GetScopes();
        identity.SetScopes(scopes.IsEmpty ? [.. client.Scopes] : scopes);
        if (client.Audience.Length > 0)
        {
            identity.SetResources(client.Audience);
        }
        identity.SetDestinations(static _ => [Destinations.AccessToken]);
        return new ClaimsPrincipal(identity);
    }

    private static DevServiceClient? Find(IReadOnlyList<DevServiceClient> clients, string? clientId) =>
        clients.FirstOrDefault(c => string.Equals(c.ClientId, clientId, StringComparison.Ordinal));
}
