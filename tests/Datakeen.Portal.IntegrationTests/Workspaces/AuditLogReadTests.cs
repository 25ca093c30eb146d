using Datakeen.Portal.Auditing;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.IntegrationTests.Workspaces;

// The audit log as an Admin reads it: keyset pages that neither skip nor repeat an event, even when events are
// recorded between two pages; filters by action, person and UTC days; the filtered view as CSV; Admins only.
public sealed class AuditLogReadTests(PortalHost host) : IClassFixture<PortalHost>
{
    private WorkspaceAuditLog Reader => host.Service<WorkspaceAuditLog>();

    [Fact]
    public async Task Pages_go_through_every_event_newest_first_once_even_when_events_arrive_between_pages()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        await WriteAsync(workspace.Id, 120, i => (AuditActions.KeyCopied, $"target-{i}"));
        await using var db = host.CreateDbContext();
        var expected = await db.AuditEvents.Where(e => e.WorkspaceId == workspace.Id).CountAsync();

        var seen = new List<AuditEvent>();
        AuditCursor? cursor = null;
        var pages = 0;
        do
        {
            var page = await Reader.PageForAdminAsync(workspace.Admin, workspace.Id, new AuditFilter(), cursor, 50);
            Assert.NotNull(page);
            seen.AddRange(page.Events);
            cursor = page.Next;
            if (++pages == 1)
            {
                // Recorded after the first page was read: it belongs before it, and shifts nothing after it.
                await WriteAsync(workspace.Id, 3, i => (AuditActions.KeyRevealed, $"late-{i}"));
            }
        }
        while (cursor is not null);

        Assert.Equal(expected, seen.Count);
        Assert.Equal(seen.Count, seen.Select(e => e.Id).Distinct().Count());
        Assert.DoesNotContain(seen, e => e.Target?.StartsWith("late-", StringComparison.Ordinal) == true);
        Assert.Equal(seen.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id).Select(e => e.Id), seen.Select(e => e.Id));
        Assert.Equal((int)Math.Ceiling(expected / 50.0), pages);
    }

    [Fact]
    public async Task Filters_by_action_person_and_days_and_treat_like_wildcards_as_text()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var ada = await TestActors.SignedInAsync(host.Portal.Services, "ada-reviewer");
        var audit = host.Service<AuditLog>();
        await audit.WriteAsync(AuditActions.KeyRotated, ada, workspace.Id, "rotated-by-ada");
        await audit.WriteAsync(AuditActions.KeyCopied, ada, workspace.Id, "copied-by-ada");
        await audit.WriteAsync(AuditActions.KeyRotated, workspace.Admin, workspace.Id, "rotated-by-admin");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var rotations = await ReadAllAsync(workspace, new AuditFilter(Action: AuditActions.KeyRotated));
        var byAda = await ReadAllAsync(workspace, new AuditFilter(Person: "ADA-REV"));
        var wildcard = await ReadAllAsync(workspace, new AuditFilter(Person: "%"));
        var todayOnly = await ReadAllAsync(workspace, new AuditFilter(Action: AuditActions.KeyRotated, From: today, To: today));
        var yesterday = await ReadAllAsync(workspace, new AuditFilter(From: today.AddDays(-1), To: today.AddDays(-1)));

        Assert.Equal(["rotated-by-admin", "rotated-by-ada"], rotations.Select(e => e.Target));
        Assert.All(byAda, e => Assert.Equal(ada.UserId, e.ActorUserId));
        Assert.Equal(2, byAda.Count(e => e.Target?.EndsWith("-by-ada", StringComparison.Ordinal) == true));
        Assert.Empty(wildcard);
        Assert.Equal(2, todayOnly.Count);
        Assert.Empty(yesterday);
    }

    [Fact]
    public async Task The_export_is_the_filtered_view_as_csv_with_quoting_and_no_formulas()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var audit = host.Service<AuditLog>();
        await audit.WriteAsync(AuditActions.KeyRotated, workspace.Admin, workspace.Id, "=HYPERLINK(\"x\")", details: "a, \"quoted\"\nline");
        await audit.WriteAsync(AuditActions.KeyCopied, workspace.Admin, workspace.Id, "copied");

        var csv = new StringWriter();
        var exported = await Reader.ExportForAdminAsync(workspace.Admin, workspace.Id, new AuditFilter(Action: AuditActions.KeyRotated), csv);

        Assert.True(exported);
        var text = csv.ToString();
        Assert.StartsWith(AuditCsv.Header + "\r\n", text);
        Assert.Contains("key.rotated,true,", text);
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", text);
        Assert.Contains("\"a, \"\"quoted\"\"\nline\"", text);
        Assert.DoesNotContain("copied", text);
    }

    [Fact]
    public async Task A_member_can_neither_page_nor_export_and_both_attempts_are_audited()
    {
        var workspace = await TestWorkspaces.CreateAsync(host.Portal);
        var member = await TestWorkspaces.AddMemberAsync(host.Portal.Services, workspace.Id);

        var page = await Reader.PageForAdminAsync(member, workspace.Id, new AuditFilter(), null, 50);
        var csv = new StringWriter();
        var exported = await Reader.ExportForAdminAsync(member, workspace.Id, new AuditFilter(), csv);

        Assert.Null(page);
        Assert.False(exported);
        Assert.Equal("", csv.ToString());
        await using var db = host.CreateDbContext();
        var refusals = await db.AuditEvents
            .Where(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.AuthorizationFailed && e.ActorUserId == member.UserId)
            .Select(e => e.Details).ToListAsync();
        Assert.Contains(WorkspaceAuditLog.ViewAction, refusals);
        Assert.Contains(WorkspaceAuditLog.ExportAction, refusals);
    }

    private async Task<List<AuditEvent>> ReadAllAsync(TestWorkspace workspace, AuditFilter filter)
    {
        var all = new List<AuditEvent>();
        AuditCursor? cursor = null;
        do
        {
            var page = await Reader.PageForAdminAsync(workspace.Admin, workspace.Id, filter, cursor, 2);
            Assert.NotNull(page);
            all.AddRange(page.Events);
            cursor = page.Next;
        }
        while (cursor is not null);

        return all;
    }

    private async Task WriteAsync(Guid workspaceId, int count, Func<int, (string Action, string Target)> describe)
    {
        var audit = host.Service<AuditLog>();
        await using var db = host.CreateDbContext();
        for (var i = 0; i < count; i++)
        {
            var (action, target) = describe(i);
            audit.Add(db, action, null, workspaceId, target, actorDescription: "operator");
        }

        await db.SaveChangesAsync();
    }
}
