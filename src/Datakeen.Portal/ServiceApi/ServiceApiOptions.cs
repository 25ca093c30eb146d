using System.ComponentModel.DataAnnotations;

namespace Datakeen.Portal.ServiceApi;

// Configuration section "ServiceApi": which access tokens the service endpoints accept. Authority defaults
// to Oidc:Authority (the provider that signs the users in also issues the services' client-credentials tokens).
public sealed class ServiceApiOptions
{
    public const string SectionName = "ServiceApi";

    // The scope a service token needs for POST /api/v1/keys/verify.
    public const string VerifyScope = "datakeen.keys.verify";

    [Url]
    public string? Authority { get; set; }

    [Url]
    public string? MetadataAddress { get; set; }

    // The `aud` the tokens must carry: the API's own, never the portal's sign-in client id (a user's ID token
    // carries that one). The dev provider's and the Keycloak realm's service clients set it.
    [Required(AllowEmptyStrings = false)]
    public string Audience { get; set; } = "datakeen-portal-api";

    // The service clients (`azp`, else `client_id`) whose tokens are accepted; DefaultClient when none is configured.
    // Not initialised with the default: the configuration binder appends to a list it finds, so a configured list
    // could never leave the default out (ServiceTokenCacheTests takes the gateway off the list).
    public List<string> AllowedClients { get; set; } = [];

    public const string DefaultClient = "datakeen-gateway";

    // Verify calls per calling client and minute, shared by all instances like the API's own limits.
    [Range(1, int.MaxValue)]
    public int RequestsPerMinutePerClient { get; set; } = 6000;

    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    public bool? RequireHttpsMetadata { get; set; }
}
