namespace Datakeen.Portal.ApiKeys;

// The claims of a principal authenticated by an API key (scheme "ApiKey"): only what a policy needs.
// Endpoints read the key itself through ApiKeyCaller, not claims.
public static class ApiKeyClaims
{
    public const string AuthenticationScheme = "ApiKey";

    // "public" or "secret": the SecretKey policy requires "secret".
    public const string KeyType = "dk:key_type";

    public const string TestEnvironment = "test";
    public const string ProductionEnvironment = "production";
    public const string PublicKeyType = "public";
    public const string SecretKeyType = "secret";

    // The names the API answers with.
    public static string EnvironmentValue(KeyEnvironment environment) =>
        environment == KeyEnvironment.Production ? ProductionEnvironment : TestEnvironment;

    public static string KeyTypeValue(KeyKind kind) => kind == KeyKind.Secret ? SecretKeyType : PublicKeyType;
}
