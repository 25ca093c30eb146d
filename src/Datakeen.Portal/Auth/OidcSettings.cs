namespace Datakeen.Portal.Auth;

// Configuration section "Oidc": any standards-compliant OpenID Connect provider. MetadataAddress is for
// deployments where the portal reaches the provider by another name than browsers do (docker-compose);
// RequireHttpsMetadata overrides the default (required outside Development and Testing).
public sealed record OidcSettings(string? Authority, string? ClientId, string? ClientSecret, string? MetadataAddress,
    bool? RequireHttpsMetadata)
{
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);

    public static OidcSettings From(IConfiguration configuration) => new(
        configuration["Oidc:Authority"],
        configuration["Oidc:ClientId"],
        configuration["Oidc:ClientSecret"],
        configuration["Oidc:MetadataAddress"],
        bool.TryParse(configuration["Oidc:RequireHttpsMetadata"], out var require) ? require : null);
}
