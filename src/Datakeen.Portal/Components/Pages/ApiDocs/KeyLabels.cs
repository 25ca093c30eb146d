using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// The words the tab uses for environments and key kinds: lower-case slugs for accessible names
// and test ids ("test", "production", "public", "secret"), capitalised titles for display.
public static class KeyLabels
{
    public static string Slug(KeyEnvironment environment) => environment switch
    {
        KeyEnvironment.Test => "test",
        KeyEnvironment.Production => "production",
        _ => throw new ArgumentOutOfRangeException(nameof(environment), environment, null),
    };

    public static string Slug(KeyKind kind) => kind switch
    {
        KeyKind.Public => "public",
        KeyKind.Secret => "secret",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static string Title(KeyEnvironment environment) => environment switch
    {
        KeyEnvironment.Test => "Test",
        KeyEnvironment.Production => "Production",
        _ => throw new ArgumentOutOfRangeException(nameof(environment), environment, null),
    };

    public static string Title(KeyKind kind) => kind switch
    {
        KeyKind.Public => "Public key",
        KeyKind.Secret => "Secret key",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    // "test secret key", as used in "Reveal test secret key" and "Rotate test secret key?".
    public static string KeyName(KeyEnvironment environment, KeyKind kind) => $"{Slug(environment)} {Slug(kind)} key";
}
