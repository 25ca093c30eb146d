namespace Datakeen.Portal.Credits;

public enum LedgerEntryType
{
    Grant = 0,
    Consume = 1,
}
