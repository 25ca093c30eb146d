using Datakeen.Portal.Auth;

namespace Datakeen.Portal.Workspaces;

// The workspace of a /w/{Slug}/... page, the signed-in caller and their role, resolved once per navigation
// by WorkspaceScope and cascaded to the layout, the pages and their cards. The role is what the page shows;
// services re-check membership and role against the database on every call (see docs/architecture.md).
public sealed record WorkspaceContext(Guid Id, string Name, string Slug, WorkspaceRole Role, Actor Actor)
{
    public bool IsAdmin => Role == WorkspaceRole.Admin;

    public static WorkspaceContext From(WorkspaceSummary workspace, Actor actor) =>
        new(workspace.Id, workspace.Name, workspace.Slug, workspace.Role, actor);
}
