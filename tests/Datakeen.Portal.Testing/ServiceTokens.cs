using System.Net.Http.Json;
using System.Text.Json;

namespace Datakeen.Portal.Testing;

// Access tokens of the development provider's service clients (client-credentials flow), as a Datakeen
// backend gets them.
public static class ServiceTokens
{
    public const string GatewayClientId = "datakeen-gateway";
    public const string GatewayClientSecret = "datakeen-gateway-dev-secret";
    public const string VerifyScope = "datakeen.keys.verify";

    public static async Task<string> RequestAsync(DevIdentityServer identity, string clientId = GatewayClientId,
        string clientSecret = GatewayClientSecret, string? scope = VerifyScope)
    {
        using var http = new HttpClient { BaseAddress = identity.Address };
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = clientSecret,
        };
        if (scope is not null)
        {
            form["scope"] = scope;
        }

        using var response = await http.PostAsync("/connect/token", new FormUrlEncodedContent(form));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The provider refused the token request: {body}");
        }

        return body.GetProperty("access_token").GetString()!;
    }
}
