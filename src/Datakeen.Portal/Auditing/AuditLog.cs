using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Auditing;

public sealed class AuditLog(IDbContextFactory<PortalDbContext> contextFactory, TimeProvider time)
{
    // The lengths of the audit_events columns (AuditEventConfiguration): values are cut here, by the log,
    // not by every caller.
    public const int MaxTextLength = 200;
    public const int MaxIpAddressLength = 64;
    public const int MaxUserAgentLength = 512;

    // Adds the event to the caller's context, so it commits (or not) with the action it records.
    // actorDescription names an actor who is not a signed-in user (an operator's command line).
    public AuditEvent Add(PortalDbContext db, string action, Actor? actor, Guid? workspaceId, string? target,
        string? details = null, bool succeeded = true, string? actorDescription = null)
    {
        var auditEvent = new AuditEvent
        {
            Action = action,
            WorkspaceId = workspaceId,
            ActorUserId = actor?.UserId,
            ActorDescription = TextColumns.Fit(actor?.DisplayName ?? actorDescription, MaxTextLength),
            Target = TextColumns.Fit(target, MaxTextLength),
            Details = details,
            Succeeded = succeeded,
            IpAddress = TextColumns.Fit(actor?.IpAddress, MaxIpAddressLength),
            UserAgent = TextColumns.Fit(actor?.UserAgent, MaxUserAgentLength),
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
}
