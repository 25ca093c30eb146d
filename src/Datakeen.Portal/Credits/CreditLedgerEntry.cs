using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Credits;

// Append-only: the balance of an account always equals the sum of its entries' amounts.
public sealed class CreditLedgerEntry
{
    public const int MaxActorDescriptionLength = 200;

    public Guid Id { get; set; }
    public Guid AccountId { get; set; }
    public Guid WorkspaceId { get; set; }
    public KeyEnvironment Environment { get; set; }
    public LedgerEntryType Type { get; set; }

    // Signed: +n for a grant, -n for a consumption.
    public long Amount { get; set; }
    public long BalanceAfter { get; set; }

    // The one-time welcome grant; a unique partial index allows one per workspace.
    public bool IsWelcomeGrant { get; set; }
    public string? Reference { get; set; }
    public string? IdempotencyKey { get; set; }

    // Who: a user (portal, operator verb) or an API key (by id, never by value).
    public Guid? ActorUserId { get; set; }
    public Guid? ActorApiKeyId { get; set; }
    public string? ActorDescription { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
}
