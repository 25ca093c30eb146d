using Datakeen.Portal.Auditing;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.IntegrationTests.Workspaces;

public sealed class DemoWorkspacesTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    private static readonly Dictionary<string, string?> DemoData = new() { ["DemoData:Enabled"] = "true" };

    [Fact]
    public async Task Demo_workspaces_are_created_once_even_by_instances_starting_together_and_restarting()
    {
        await using (var first = new PortalFactory(database.ConnectionString, DemoData))
        await using (var second = new PortalFactory(database.ConnectionString, DemoData))
        {
            await Task.WhenAll(Task.Run(() => first.Services), Task.Run(() => second.Services));
        }
        await using (var restarted = new PortalFactory(database.ConnectionString, DemoData))
        {
            _ = restarted.Services;
        }

        await using var db = database.CreateDbContext();
        var acme = await db.Workspaces.SingleAsync(w => w.Slug == "acme");
        var globex = await db.Workspaces.SingleAsync(w => w.Slug == "globex");
        Assert.Equal("Acme", acme.Name);
        var acmePeople = await db.Memberships.Where(m => m.WorkspaceId == acme.Id)
            .OrderBy(m => m.InvitedEmail).Select(m => new { m.InvitedEmail, m.Role, m.UserId }).ToListAsync();
        Assert.Equal(["admin@acme.test", "member@acme.test"], acmePeople.Select(p => p.InvitedEmail));
        Assert.Equal([WorkspaceRole.Admin, WorkspaceRole.Member], acmePeople.Select(p => p.Role));
        Assert.All(acmePeople, p => Assert.Null(p.UserId));
        Assert.Equal("admin@globex.test", await db.Memberships.Where(m => m.WorkspaceId == globex.Id).Select(m => m.InvitedEmail).SingleAsync());
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.Action == AuditActions.WorkspaceCreated));
    }

    [Fact]
    public async Task Without_the_setting_no_demo_workspace_is_created()
    {
        var empty = await TestPostgres.CreateMigratedDatabaseAsync();
        try
        {
            await using (var portal = new PortalFactory(empty))
            {
                _ = portal.Services;
            }

            await using var db = TestPostgres.CreateDbContext(empty);
            Assert.False(await db.Workspaces.AnyAsync());
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(empty);
        }
    }
}
