namespace Datakeen.Portal.ApiKeys;

public enum KeyEnvironment
{
    Test = 0,
    Production = 1,
}
