namespace Datakeen.Portal.ApiKeys;

public enum KeyKind
{
    Public = 0,
    Secret = 1,
}
