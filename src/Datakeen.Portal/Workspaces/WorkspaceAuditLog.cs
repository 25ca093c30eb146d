using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Workspaces;

// The one read of the audit log: a workspace's events, for its Admins only (docs/architecture.md). Lives
// with the workspaces because the rule is a workspace role; the log itself only records. Pages are keyset pages
// (AuditPaging), the export is the filtered view as CSV (AuditCsv).
public sealed class WorkspaceAuditLog(IDbContextFactory<PortalDbContext> contextFactory, WorkspaceGuard guard)
{
    public const string ViewAction = "audit.view";
    public const string ExportAction = "audit.export";

    // An export stops here (the file says so in its last line): a bigger one is a database query for an operator.
    public const int MaxExportRows = 100_000;

    // Null for anyone but an Admin of the workspace, and the attempt is itself recorded as a refused action.
    public async Task<IReadOnlyList<AuditEvent>?> ListForAdminAsync(Actor actor, Guid workspaceId, int take,
        CancellationToken ct = default) =>
        (await PageForAdminAsync(actor, workspaceId, new AuditFilter(), after: null, take, ct))?.Events;

    // The events after the cursor (newest first), and the cursor of the next page when there is one.
    public async Task<AuditPage?> PageForAdminAsync(Actor actor, Guid workspaceId, AuditFilter filter, AuditCursor? after,
        int take, CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        if (!(await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Admin(ViewAction), ct)).IsAllowed)
        {
            return null;
        }

        var events = await filter.Apply(db.AuditEvents.AsNoTracking().Where(e => e.WorkspaceId == workspaceId))
            .NewestFirst(after)
            .Take(take + 1)
            .ToListAsync(ct);
        return events.Count > take
            ? new AuditPage(events[..take], AuditCursor.After(events[take - 1]))
            : new AuditPage(events, null);
    }

    // Writes the filtered view as CSV; false (nothing written) for anyone but an Admin.
    public async Task<bool> ExportForAdminAsync(Actor actor, Guid workspaceId, AuditFilter filter, TextWriter writer,
        CancellationToken ct = default)
    {
        await using var db = await contextFactory.CreateDbContextAsync(ct);
        if (!(await guard.CheckAsync(db, workspaceId, actor, WorkspaceDemand.Admin(ExportAction), ct)).IsAllowed)
        {
            return false;
        }

        AuditCsv.WriteHeader(writer);
        var rows = 0;
        await foreach (var e in filter.Apply(db.AuditEvents.AsNoTracking().Where(e => e.WorkspaceId == workspaceId))
                           .NewestFirst(after: null).Take(MaxExportRows + 1).AsAsyncEnumerable().WithCancellation(ct))
        {
            if (++rows > MaxExportRows)
            {
                await writer.WriteAsync($"# cut at {MaxExportRows} rows: narrow the filter\r\n");
                break;
            }

            AuditCsv.WriteRow(writer, e);
        }

        return true;
    }
}
