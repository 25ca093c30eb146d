namespace Datakeen.Portal.Workspaces;

// Configuration section "Workspaces:CreationLimits": how many workspaces one user may create, so that the
// welcome test credits of new workspaces cannot be farmed.
public sealed class WorkspaceCreationLimits
{
    public const string SectionName = "Workspaces:CreationLimits";

    public int PerDay { get; set; } = 3;
    public int Total { get; set; } = 10;

    public string? Refusal(int createdToday, int createdInAll) =>
        createdInAll >= Total
            ? $"You have created {createdInAll} workspaces, the most one person can create. Ask an admin of an existing workspace to invite you instead."
            : createdToday >= PerDay
                ? $"You can create at most {PerDay} workspaces a day. Try again tomorrow, or ask to be invited to an existing workspace."
                : null;
}
