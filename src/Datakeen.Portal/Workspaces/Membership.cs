using Datakeen.Portal.Auth;

namespace Datakeen.Portal.Workspaces;

// A user's role in a workspace. Before the invited person first signs in, UserId is null and
// InvitedEmail says whom the membership is waiting for.
public sealed class Membership
{
    public Guid Id { get; set; }
    public Guid WorkspaceId { get; set; }
    public Guid? UserId { get; set; }
    public string? InvitedEmail { get; set; }
    public WorkspaceRole Role { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    // Who sent the invitation (null for demo data and for the creator's own membership).
    public Guid? InvitedByUserId { get; set; }

    public Workspace? Workspace { get; set; }
    public PortalUser? User { get; set; }
}
