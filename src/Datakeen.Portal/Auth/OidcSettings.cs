namespace Datakeen.Portal.Auth;

// Configuration section "Oidc": any standards-compliant OpenID Connect provider.
public sealed record OidcSettings(string? Authority, string? ClientId, string? ClientSecret)
{
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);

    public static OidcSettings From(IConfiguration configuration) => new(
        configuration["Oidc:Authority"], configuration["Oidc:ClientId"], configuration["Oidc:ClientSecret"]);
}
