using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Workspaces;

public sealed class WorkspaceCreatorTests(WorkspaceCreatorTests.Host host) : IClassFixture<WorkspaceCreatorTests.Host>
{
    // These tests create more workspaces per user than the default limits allow (WorkspaceCreationLimitTests).
    public sealed class Host : PortalHost
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
        {
            ["Workspaces:CreationLimits:PerDay"] = "100",
            ["Workspaces:CreationLimits:Total"] = "100",
        };
    }

    [Fact]
    public async Task Creating_a_workspace_makes_the_creator_its_admin_and_audits_it()
    {
        await using var db = host.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);
        var name = $"Acme Corp {Guid.NewGuid():N}"[..18] + ".";

        var result = await CreateAsync(actor, name);

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(WorkspaceSlug.From(name), result.Slug);
        var workspace = await db.Workspaces.SingleAsync(w => w.Id == result.WorkspaceId);
        Assert.Equal(name, workspace.Name);
        Assert.Equal(actor.UserId, workspace.CreatedByUserId);
        Assert.Equal(WorkspaceRole.Admin, await db.RoleOfAsync(workspace.Id, actor.UserId));
        var audit = await db.AuditEvents.SingleAsync(e => e.WorkspaceId == workspace.Id);
        Assert.Equal(AuditActions.WorkspaceCreated, audit.Action);
        Assert.Equal(actor.UserId, audit.ActorUserId);
        Assert.Equal("192.0.2.10", audit.IpAddress);
    }

    [Fact]
    public async Task A_new_workspace_has_its_four_keys_and_its_welcome_test_credits()
    {
        await using var db = host.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);

        var result = await CreateAsync(actor, "Complete");

        var keys = await db.ApiKeys.Where(k => k.WorkspaceId == result.WorkspaceId && k.RevokedAt == null).ToListAsync();
        Assert.Equal(4, keys.Select(k => (k.Environment, k.Kind)).Distinct().Count());
        var grant = await db.CreditLedgerEntries.SingleAsync(e => e.WorkspaceId == result.WorkspaceId && e.IsWelcomeGrant);
        Assert.Equal(WelcomeCredits.TestCredits, grant.Amount);
    }

    [Fact]
    public async Task The_same_name_twice_gets_a_numbered_slug()
    {
        await using var db = host.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);
        var name = $"Twice {Guid.NewGuid():N}"[..16];

        var first = await CreateAsync(actor, name);
        var second = await CreateAsync(actor, name);
        var third = await CreateAsync(actor, name);

        Assert.Equal(WorkspaceSlug.From(name), first.Slug);
        Assert.Equal(WorkspaceSlug.From(name) + "-2", second.Slug);
        Assert.Equal(WorkspaceSlug.From(name) + "-3", third.Slug);
    }

    [Fact]
    public async Task Parallel_creation_of_the_same_name_never_leaves_a_partial_workspace()
    {
        await using var db = host.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);
        var name = $"Race {Guid.NewGuid():N}"[..15];

        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => CreateAsync(actor, name))));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Error));
        Assert.Equal(results.Length, results.Select(r => r.Slug).Distinct().Count());
        var baseSlug = WorkspaceSlug.From(name);
        var workspaces = await db.Workspaces.Where(w => w.Slug == baseSlug || w.Slug.StartsWith(baseSlug + "-")).ToListAsync();
        Assert.Equal(results.Length, workspaces.Count);
        foreach (var workspace in workspaces)
        {
            // Every workspace that exists is complete: its Admin and its audit event committed with it.
            Assert.Equal(WorkspaceRole.Admin, await db.RoleOfAsync(workspace.Id, actor.UserId));
            Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.WorkspaceCreated));
            Assert.Equal(4, await db.ApiKeys.CountAsync(k => k.WorkspaceId == workspace.Id));
            Assert.Equal(1, await db.CreditLedgerEntries.CountAsync(e => e.WorkspaceId == workspace.Id && e.IsWelcomeGrant));
        }
    }

    [Theory]
    [InlineData("", "Enter a workspace name.")]
    [InlineData("   ", "Enter a workspace name.")]
    [InlineData("x\u0001y", "control characters")]
    public async Task An_invalid_name_is_refused_with_a_clear_message(string name, string message)
    {
        await using var db = host.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);

        var result = await CreateAsync(actor, name);

        Assert.False(result.Succeeded);
        Assert.Contains(message, result.Error);
        Assert.False(await db.Memberships.AnyAsync(m => m.UserId == actor.UserId));
    }

    // Text PostgreSQL cannot store is a validation message, never a database error (xunit data cannot carry
    // lone surrogates, hence a loop).
    [Fact]
    public async Task A_name_with_a_NUL_or_an_unpaired_surrogate_is_refused_with_a_clear_message()
    {
        await using var db = host.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);

        foreach (var name in new[] { "a\u0000b", "a\ud800b", "a\udc00", "\ud83d" })
        {
            var result = await CreateAsync(actor, name);
            Assert.Equal("A workspace name cannot contain NUL characters or unpaired surrogates.", result.Error);
        }

        Assert.True((await CreateAsync(actor, "Emoji \ud83d\ude00 works")).Succeeded);
    }

    [Fact]
    public async Task A_name_over_100_characters_is_refused()
    {
        await using var db = host.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);

        var result = await CreateAsync(actor, new string('a', 101));

        Assert.Equal("A workspace name has at most 100 characters.", result.Error);
    }

    private async Task<CreateWorkspaceResult> CreateAsync(Actor actor, string name)
    {
        await using var scope = host.Portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WorkspaceCreator>().CreateAsync(actor, name);
    }
}
