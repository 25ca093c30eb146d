using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Datakeen.Portal.Workspaces;

public sealed record CreateWorkspaceResult(Guid? WorkspaceId, string? Slug, string? Error)
{
    public bool Succeeded => Error is null;
}

// A pending membership created together with a workspace (demo data).
public sealed record WorkspaceInvitation(string Email, WorkspaceRole Role);

// Creating a workspace is one transaction: the workspace, its first Admin, what every feature provisions
// (IWorkspaceProvisioning: the four keys, the welcome credits) and the audit event commit together or not at all. Two creations that pick the same slug
// collide on the unique index; the loser rolls back everything and tries the next free slug.
public sealed class WorkspaceCreator(
    IDbContextFactory<PortalDbContext> contextFactory,
    IEnumerable<IWorkspaceProvisioning> provisioning,
    WorkspaceGuard guard,
    AuditLog auditLog,
    IOptionsMonitor<WorkspaceCreationLimits> limits,
    TimeProvider time)
{
    public const int MaxNameLength = 100;
    private const int MaxAttempts = 8;

    public static string? ValidateName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0)
        {
            return "Enter a workspace name.";
        }
        if (trimmed.Length > MaxNameLength)
        {
            return $"A workspace name has at most {MaxNameLength} characters.";
        }
        if (!StorableText.IsStorable(trimmed))
        {
            return "A workspace name cannot contain NUL characters or unpaired surrogates.";
        }
        return trimmed.Any(char.IsControl) ? "A workspace name cannot contain control characters." : null;
    }

    public async Task<CreateWorkspaceResult> CreateAsync(Actor actor, string name, CancellationToken ct = default) =>
        await guard.CheckSessionAsync(actor, ct) == WorkspaceRefusal.None
            ? await CreateCoreAsync(actor, name, exactSlug: null, invitations: [], ct)
            : new CreateWorkspaceResult(null, null, Auth.Sessions.StepUp.SessionEndedMessage);

    // Demo data: a fixed slug, no creator membership, Admins and Members invited by email instead.
    internal Task<CreateWorkspaceResult> CreateWithInvitationsAsync(string name, string exactSlug,
        IReadOnlyList<WorkspaceInvitation> invitations, CancellationToken ct = default) =>
        CreateCoreAsync(actor: null, name, exactSlug, invitations, ct);

    private async Task<CreateWorkspaceResult> CreateCoreAsync(Actor? actor, string name, string? exactSlug,
        IReadOnlyList<WorkspaceInvitation> invitations, CancellationToken ct)
    {
        if (ValidateName(name) is { } error)
        {
            return new CreateWorkspaceResult(null, null, error);
        }

        name = name.Trim();
        var baseSlug = WorkspaceSlug.From(name);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            await using var db = await contextFactory.CreateDbContextAsync(ct);
            await using var transaction = await db.Database.BeginTransactionAsync(ct);
            var now = time.GetUtcNow();
            if (actor is not null && await CheckLimitsAsync(db, actor.UserId, now, ct) is { } refusal)
            {
                return new CreateWorkspaceResult(null, null, refusal);
            }

            var slug = exactSlug ?? await NextFreeSlugAsync(db, baseSlug, ct);
            var workspace = new Workspace
            {
                Id = Guid.CreateVersion7(), Name = name, Slug = slug, CreatedAt = now, CreatedByUserId = actor?.UserId,
            };
            db.Workspaces.Add(workspace);
            if (actor is not null)
            {
                db.Memberships.Add(NewMembership(workspace.Id, actor.UserId, null, WorkspaceRole.Admin, now));
            }
            foreach (var invitation in invitations)
            {
                db.Memberships.Add(NewMembership(workspace.Id, null, invitation.Email.Trim().ToLowerInvariant(), invitation.Role, now));
            }

            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException ex) when (IsSlugTaken(ex))
            {
                await transaction.RollbackAsync(CancellationToken.None);
                if (exactSlug is not null)
                {
                    return new CreateWorkspaceResult(null, null, $"The workspace address '{exactSlug}' is already taken.");
                }
                continue;
            }

            foreach (var step in provisioning)
            {
                await step.ProvisionAsync(db, workspace.Id, actor?.UserId, ct);
            }
            auditLog.Add(db, AuditActions.WorkspaceCreated, actor, workspace.Id, slug, name);
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return new CreateWorkspaceResult(workspace.Id, slug, null);
        }

        return new CreateWorkspaceResult(null, null, "The workspace could not be created right now. Please try again.");
    }

    // The user's row is locked first, so parallel creations by one user are counted one after the other.
    private async Task<string?> CheckLimitsAsync(PortalDbContext db, Guid userId, DateTimeOffset now, CancellationToken ct)
    {
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM users WHERE id = {userId} FOR UPDATE", ct);
        var since = now.AddDays(-1);
        var created = await db.Workspaces.AsNoTracking()
            .Where(w => w.CreatedByUserId == userId)
            .GroupBy(_ => 1)
            .Select(g => new { Total = g.Count(), Today = g.Count(w => w.CreatedAt > since) })
            .SingleOrDefaultAsync(ct);
        return limits.CurrentValue.Refusal(created?.Today ?? 0, created?.Total ?? 0);
    }

    private static async Task<string> NextFreeSlugAsync(PortalDbContext db, string baseSlug, CancellationToken ct)
    {
        var prefix = baseSlug + "-";
        var taken = (await db.Workspaces.AsNoTracking()
            .Where(w => w.Slug == baseSlug || w.Slug.StartsWith(prefix))
            .Select(w => w.Slug)
            .ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var number = 1;
        while (taken.Contains(WorkspaceSlug.WithSuffix(baseSlug, number)))
        {
            number++;
        }
        return WorkspaceSlug.WithSuffix(baseSlug, number);
    }

    private static Membership NewMembership(Guid workspaceId, Guid? userId, string? email, WorkspaceRole role,
        DateTimeOffset now) =>
        new() { Id = Guid.CreateVersion7(), WorkspaceId = workspaceId, UserId = userId, InvitedEmail = email, Role = role, CreatedAt = now };

    private static bool IsSlugTaken(DbUpdateException ex) =>
        ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "ix_workspaces_slug" };
}
