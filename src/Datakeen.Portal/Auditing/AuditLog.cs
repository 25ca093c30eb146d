using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Auditing;

public sealed class AuditLog(IDbContextFactory<PortalDbContext> contextFactory, TimeProvider time)
{
    // Adds the event to the caller's context, so it commits (or not) with the action it records.
    public AuditEvent Add(PortalDbContext db, string action, Actor? actor, Guid? workspaceId, string? target,
        string? details = null, bool succeeded = true)
    {
        var auditEvent = new AuditEvent
        {
            Action = action,
            WorkspaceId = workspaceId,
            ActorUserId = actor?.UserId,
            ActorDescription = actor?.DisplayName,
            Target = target,
            Details = details,
            Succeeded = succeeded,
            IpAddress = actor?.IpAddress,
            UserAgent = actor?.UserAgent,
            OccurredAt = time.GetUtcNow(),
        };
        db.AuditEvents.Add(auditEvent);
        return auditEvent;
    }

    // Records an event on its own, e.g. a refused action whose transaction never happened.
    public async Task WriteAsync(string action, Actor? actor, Guid? workspaceId, string? target,
        string? details = null, bool succeeded = true, CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        Add(db, action, actor, workspaceId, target, details, succeeded);
        await db.SaveChangesAsync(ct);
    }

    public Task WriteRefusalAsync(Actor actor, Guid? workspaceId, string attemptedAction, string? target,
        CancellationToken ct = default) =>
        WriteAsync(AuditActions.AuthorizationFailed, actor, workspaceId, target, attemptedAction, succeeded: false, ct);

    // The workspace's audit log, for its Admins only (docs/architecture.md): null for anyone else, and the
    // attempt is itself recorded as a refused action. The only read of the log.
    public async Task<IReadOnlyList<AuditEvent>?> ListForAdminAsync(Actor actor, Guid workspaceId, int take,
        CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        if (await db.GetRoleAsync(workspaceId, actor.UserId, ct) != WorkspaceRole.Admin)
        {
            Add(db, AuditActions.AuthorizationFailed, actor, workspaceId, target: null, "audit.view", succeeded: false);
            await db.SaveChangesAsync(ct);
            return null;
        }

        return await db.AuditEvents.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId)
            .OrderByDescending(e => e.Id)
            .Take(take)
            .ToListAsync(ct);
    }
}
