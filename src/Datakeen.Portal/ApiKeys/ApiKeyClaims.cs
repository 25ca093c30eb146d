using System.Security.Claims;

namespace Datakeen.Portal.ApiKeys;

// The claims contract of a principal authenticated by an API key (scheme "ApiKey").
public static class ApiKeyClaims
{
    public const string AuthenticationScheme = "ApiKey";

    public const string WorkspaceId = "dk:workspace_id";
    public const string WorkspaceName = "dk:workspace_name";
    public const string WorkspaceSlug = "dk:workspace_slug";
    // "test" or "production"
    public const string Environment = "dk:environment";
    // "public" or "secret"
    public const string KeyType = "dk:key_type";
    public const string KeyId = "dk:key_id";
    // "dk_test_sk_…AbCd": never the key itself
    public const string KeyHint = "dk:key_hint";

    public const string TestEnvironment = "test";
    public const string ProductionEnvironment = "production";
    public const string PublicKeyType = "public";
    public const string SecretKeyType = "secret";

    public static string EnvironmentValue(KeyEnvironment environment) =>
        environment == KeyEnvironment.Production ? ProductionEnvironment : TestEnvironment;

    public static string KeyTypeValue(KeyKind kind) => kind == KeyKind.Secret ? SecretKeyType : PublicKeyType;

    // The key behind the request, or null when the principal was not authenticated by an API key.
    public static ApiKeyIdentity? GetApiKeyIdentity(this ClaimsPrincipal principal)
    {
        var identity = principal.Identities.FirstOrDefault(i =>
            i.IsAuthenticated && i.AuthenticationType == AuthenticationScheme);
        if (identity is null
            || !Guid.TryParse(identity.FindFirst(WorkspaceId)?.Value, out var workspaceId)
            || !Guid.TryParse(identity.FindFirst(KeyId)?.Value, out var keyId))
        {
            return null;
        }

        return new ApiKeyIdentity(
            workspaceId,
            identity.FindFirst(Environment)?.Value == ProductionEnvironment ? KeyEnvironment.Production : KeyEnvironment.Test,
            identity.FindFirst(KeyType)?.Value == SecretKeyType ? KeyKind.Secret : KeyKind.Public,
            keyId,
            identity.FindFirst(KeyHint)?.Value ?? "",
            identity.FindFirst(WorkspaceName)?.Value ?? "",
            identity.FindFirst(WorkspaceSlug)?.Value ?? "");
    }
}

public sealed record ApiKeyIdentity(
    Guid WorkspaceId,
    KeyEnvironment Environment,
    KeyKind Kind,
    Guid KeyId,
    string Hint,
    string WorkspaceName,
    string WorkspaceSlug);
