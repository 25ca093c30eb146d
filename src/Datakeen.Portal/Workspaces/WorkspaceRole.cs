namespace Datakeen.Portal.Workspaces;

public enum WorkspaceRole
{
    Member = 0,
    Admin = 1,
}
