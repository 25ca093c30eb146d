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

// The workspaces of a person as the guard lists them (WorkspaceGuard.ListAsync), and the one they used last (null when
// none of them).
public sealed record CallerWorkspaces(IReadOnlyList<WorkspaceSummary> All, Guid? LastUsed);

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
public sealed class WorkspaceGuard(IDbContextFactory<PortalDbContext> contexts, StepUp stepUp, AuditLog audit,
    IHttpContextAccessor? httpContextAccessor = null)
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
        var cache = PageRenderCache();
        WorkspaceRole? role;
        if (cache is not null && cache.Roles.TryGetValue((workspaceId, actor.UserId), out var cached))
        {
            role = cached;
        }
        else
        {
            role = await db.Memberships.AsNoTracking()
                .Where(m => m.WorkspaceId == workspaceId && m.UserId == actor.UserId)
                .Select(m => (WorkspaceRole?)m.Role)
                .SingleOrDefaultAsync(ct);
            cache?.Roles.TryAdd((workspaceId, actor.UserId), role);
        }
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

        refusal = await CheckStepUpAsync(actor, demand.RecentSignIn, cache, ct) switch
        {
            ActorCheck.SessionEnded => WorkspaceRefusal.SessionEnded,
            ActorCheck.ReauthenticationRequired => WorkspaceRefusal.ReauthenticationRequired,
            _ => WorkspaceRefusal.None,
        };
        return new WorkspacePass(role, refusal);
    }

    // The workspace of a /w/{slug}/... page as this person sees it, with their role (null: not a member, so the page
    // is a 404). A page render resolves it once and every service the render calls then finds the role in the
    // request's cache (docs/architecture.md, "One path per operation").
    public async Task<WorkspaceSummary?> FindAsync(string? slug, Actor actor, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(slug) || slug.Length > 64)
        {
            return null;
        }

        var cache = PageRenderCache();
        if (cache is not null)
        {
            // A page render lists the caller's workspaces anyway (the switcher): the page's workspace is one of them.
            var workspaces = await ListAsync(actor, ct);
            var found = workspaces.All.FirstOrDefault(w => string.Equals(w.Slug, slug, StringComparison.Ordinal));
            if (found is not null)
            {
                cache.Roles.TryAdd((found.Id, actor.UserId), found.Role);
            }
            return found;
        }

        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Memberships.AsNoTracking()
            .Where(m => m.UserId == actor.UserId && m.Workspace!.Slug == slug)
            .Select(m => new WorkspaceSummary(m.WorkspaceId, m.Workspace!.Name, m.Workspace.Slug, m.Role))
            .SingleOrDefaultAsync(ct);
    }

    // The caller's workspaces (by name), with their role, and the one they used last (where `/` brings them): one
    // query, read once per page GET and shared by FindAsync, the workspace switcher and "remember the last used".
    public async Task<CallerWorkspaces> ListAsync(Actor actor, CancellationToken ct = default)
    {
        var cache = PageRenderCache();
        if (cache?.Workspaces is { } listed)
        {
            return await listed;
        }

        var listing = ListCoreAsync(actor.UserId, ct);
        if (cache is not null)
        {
            cache.Workspaces = listing;
        }
        return await listing;
    }

    private async Task<CallerWorkspaces> ListCoreAsync(Guid userId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var all = new List<WorkspaceSummary>();
        Guid? lastUsed = null;
        await foreach (var row in CallerMemberships(db, userId).WithCancellation(ct))
        {
            all.Add(row.Summary);
            if (row.IsLastUsed && lastUsed is null)
            {
                lastUsed = row.Summary.Id;
            }
        }
        return new CallerWorkspaces(all, lastUsed);
    }

    // Read on every page GET (ListAsync), so compiled once: no expression tree to build, hash and look up per page.
    private static readonly Func<PortalDbContext, Guid, IAsyncEnumerable<ListedMembership>> CallerMemberships =
        EF.CompileAsyncQuery((PortalDbContext db, Guid userId) => db.Memberships.AsNoTracking()
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.Workspace!.Name).ThenBy(m => m.Workspace!.Slug)
            .Select(m => new ListedMembership(
                new WorkspaceSummary(m.WorkspaceId, m.Workspace!.Name, m.Workspace.Slug, m.Role),
                m.User!.LastWorkspaceId == m.WorkspaceId)));

    private sealed record ListedMembership(WorkspaceSummary Summary, bool IsLastUsed);

    private async Task<ActorCheck> CheckStepUpAsync(Actor actor, bool recentSignIn, RenderCache? cache, CancellationToken ct)
    {
        if (recentSignIn || cache is null)
        {
            return await stepUp.CheckAsync(actor, recentSignIn, ct);
        }

        // Once per render, also when islands ask side by side; the session the cookie handler read at the start of
        // this request (same rules, same request) answers without reading the row again.
        var sessionId = actor.SessionId ?? Guid.Empty;
        return await cache.Sessions.GetOrAdd(sessionId, _ =>
            UserSessions.ReadByThisRequest(httpContextAccessor?.HttpContext, sessionId) is { } read
                ? Task.FromResult(read.UserId == actor.UserId ? ActorCheck.Ok : ActorCheck.SessionEnded)
                : stepUp.CheckAsync(actor, needsRecentSignIn: false, ct));
    }

    // What one page render (a GET of a page, prerendered islands included) already read: the caller's role per
    // workspace and whether their session lives. Only for page GETs: a circuit, a form post or an API call
    // always reads again, so a change (a removed member, a signed-out session) counts from the next action.
    private RenderCache? PageRenderCache()
    {
        if (httpContextAccessor?.HttpContext is not { } http
            || !HttpMethods.IsGet(http.Request.Method)
            || http.WebSockets.IsWebSocketRequest
            || http.Request.Path.StartsWithSegments("/_blazor")
            || http.Request.Path.StartsWithSegments("/api"))
        {
            return null;
        }

        if (http.Items.TryGetValue(typeof(RenderCache), out var existing) && existing is RenderCache cache)
        {
            return cache;
        }
        cache = new RenderCache();
        http.Items[typeof(RenderCache)] = cache;
        return cache;
    }

    private sealed class RenderCache
    {
        public System.Collections.Concurrent.ConcurrentDictionary<(Guid Workspace, Guid User), WorkspaceRole?> Roles { get; } = new();
        public System.Collections.Concurrent.ConcurrentDictionary<Guid, Task<ActorCheck>> Sessions { get; } = new();
        public Task<CallerWorkspaces>? Workspaces { get; set; }
    }
}
