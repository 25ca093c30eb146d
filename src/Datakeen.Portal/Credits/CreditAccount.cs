using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Credits;

public sealed class CreditAccount
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public KeyEnvironment Environment { get; set; }
    public long Balance { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
