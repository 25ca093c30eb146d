using Datakeen.Portal.Data;

namespace Datakeen.Portal.Credits;

// Seam for workspace creation: opens the two credit accounts and grants the 20 welcome test credits
// inside the caller's transaction. TODO(credits issue): implement.
public sealed class WelcomeCredits
{
    public const int TestCredits = 20;

    public Task GrantAsync(PortalDbContext db, Guid workspaceId, CancellationToken ct = default) => Task.CompletedTask;
}
