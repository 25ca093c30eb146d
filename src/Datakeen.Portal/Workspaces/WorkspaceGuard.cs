using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Workspaces;

// What an operation on a workspace demands of the person acting: membership (every read), the Admin role
// (changes), and for sensitive changes a recent sign-in. Action and target name the operation in the audit
// record of a refusal.
public sealed record WorkspaceDemand(WorkspaceRole Role, string? Action = null, string? Target = null,
    bool RecentSignIn = false)
{
    // Reads: any member of the workspace, from a live session.
    public static readonly WorkspaceDemand Member = new(WorkspaceRole.Member);

    public static WorkspaceDemand Admin(string action, string? target = null, bool recentSignIn = false) =>
        new(WorkspaceRole.Admin, action, target, recentSignIn);

    public static WorkspaceDemand MemberAction(string action, string? target = null, bool recentSignIn = false) =>
        new(WorkspaceRole.Member, action, target, recentSignIn);
}

public enum WorkspaceRefusal
{
    None,
    // Not a member: the workspace does not exist for them (404, never 403).
    NotFound,
    // A member without the role the operation needs.
    Forbidden,
    // The browser session behind the action has ended (or the actor has none).
    SessionEnded,
    // The session lives, but the person entered their credentials too long ago for this operation.
    ReauthenticationRequired,
}

// The guard's answer: the caller's role when allowed, else why not (with the message to show).
public readonly record struct WorkspacePass(WorkspaceRole? Role, WorkspaceRefusal Refusal)
{
    public bool IsAllowed => Refusal == WorkspaceRefusal.None;
    public bool IsAdmin => IsAllowed && Role == WorkspaceRole.Admin;

    public string Message => Refusal switch
    {
        WorkspaceRefusal.NotFound => WorkspaceGuard.NotFoundMessage,
        WorkspaceRefusal.Forbidden => WorkspaceGuard.ForbiddenMessage,
        WorkspaceRefusal.SessionEnded => StepUp.SessionEndedMessage,
        WorkspaceRefusal.ReauthenticationRequired => StepUp.ReauthenticationMessage,
        _ => "",
    };
}

// The one guard of every service that reads or changes a workspace (docs/architecture.md, "Where each rule
// lives"): membership and role read from the database, a live session, step-up where asked, and the audited
// refusal. A Blazor event handler is an entry point like an endpoint: what a page shows is not a check.
public sealed class WorkspaceGuard(IDbContextFactory<PortalDbContext> contexts, StepUp stepUp, AuditLog audit)
{
    public const string NotFoundMessage = "This workspace does not exist, or you are no longer a member of it.";
    public const string ForbiddenMessage = "Only an Admin of the workspace can do this.";

    public async Task<WorkspacePass> CheckAsync(Guid workspaceId, Actor actor, WorkspaceDemand demand,
        CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await CheckAsync(db, workspaceId, actor, demand, ct);
    }

    // For what a person does outside any workspace (create one, answer an invitation, mute notices): the session
    // behind the action must still live. SessionEnded when it does not.
    public async Task<WorkspaceRefusal> CheckSessionAsync(Actor actor, CancellationToken ct = default) =>
        await stepUp.CheckAsync(actor, needsRecentSignIn: false, ct) == ActorCheck.Ok
            ? WorkspaceRefusal.None
            : WorkspaceRefusal.SessionEnded;

    // Inside the caller's context (and transaction, when the caller locked what the role must agree with).
    public async Task<WorkspacePass> CheckAsync(PortalDbContext db, Guid workspaceId, Actor actor, WorkspaceDemand demand,
        CancellationToken ct = default)
    {
        var role = await db.Memberships.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.UserId == actor.UserId)
            .Select(m => (WorkspaceRole?)m.Role)
            .SingleOrDefaultAsync(ct);
        var refusal = role is null ? WorkspaceRefusal.NotFound
            : role < demand.Role ? WorkspaceRefusal.Forbidden
            : WorkspaceRefusal.None;
        if (refusal != WorkspaceRefusal.None)
        {
            if (demand.Action is not null)
            {
                await audit.WriteRefusalAsync(actor, workspaceId, demand.Action, demand.Target, ct);
            }

            return new WorkspacePass(role, refusal);
        }

        refusal = await stepUp.CheckAsync(actor, demand.RecentSignIn, ct) switch
        {
            ActorCheck.SessionEnded => WorkspaceRefusal.SessionEnded,
            ActorCheck.ReauthenticationRequired => WorkspaceRefusal.ReauthenticationRequired,
            _ => WorkspaceRefusal.None,
        };
        return new WorkspacePass(role, refusal);
    }
}
