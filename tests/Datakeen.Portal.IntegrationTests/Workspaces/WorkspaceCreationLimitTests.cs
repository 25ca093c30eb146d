using Datakeen.Portal.Auth;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.Workspaces;

// Workspace creation per user: 3 a day and 10 in all by default, so the welcome test credits cannot be farmed.
public sealed class WorkspaceCreationLimitTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task A_fourth_workspace_in_a_day_is_refused_with_a_clear_message_and_allowed_the_next_day()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time);
        await using var db = database.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);

        for (var i = 0; i < 3; i++)
        {
            Assert.True((await CreateAsync(portal, actor)).Succeeded);
        }
        var refused = await CreateAsync(portal, actor);
        time.Advance(TimeSpan.FromDays(1));
        // A day later the person signs in again (yesterday's session is over).
        actor = await TestActors.SessionForAsync(portal.Services, actor.UserId, actor.DisplayName);
        var nextDay = await CreateAsync(portal, actor);

        Assert.False(refused.Succeeded);
        Assert.Equal("You can create at most 3 workspaces a day. Try again tomorrow, or ask to be invited to an existing workspace.",
            refused.Error);
        Assert.True(nextDay.Succeeded, nextDay.Error);
        Assert.Equal(4, await db.Workspaces.CountAsync(w => w.CreatedByUserId == actor.UserId));
    }

    [Fact]
    public async Task The_total_limit_holds_across_days()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var portal = new FakeTimePortal(database.ConnectionString, time,
            new Dictionary<string, string?> { ["Workspaces:CreationLimits:PerDay"] = "2", ["Workspaces:CreationLimits:Total"] = "4" });
        await using var db = database.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);

        var results = new List<CreateWorkspaceResult>();
        for (var day = 0; day < 3; day++)
        {
            results.Add(await CreateAsync(portal, actor));
            results.Add(await CreateAsync(portal, actor));
            time.Advance(TimeSpan.FromDays(1));
            actor = await TestActors.SessionForAsync(portal.Services, actor.UserId, actor.DisplayName);
        }

        Assert.Equal(4, results.Count(r => r.Succeeded));
        Assert.StartsWith("You have created 4 workspaces, the most one person can create.", results[^1].Error);
    }

    [Fact]
    public async Task Parallel_creations_by_one_user_never_exceed_the_daily_limit()
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        await using var db = database.CreateDbContext();
        var actor = await WorkspaceTestUsers.CreateAsync(db);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => CreateAsync(portal, actor))));

        Assert.Equal(3, results.Count(r => r.Succeeded));
        Assert.Equal(3, await db.Workspaces.CountAsync(w => w.CreatedByUserId == actor.UserId));
        Assert.Equal(3, await db.CreditLedgerEntries.CountAsync(e => e.IsWelcomeGrant &&
            db.Workspaces.Any(w => w.Id == e.WorkspaceId && w.CreatedByUserId == actor.UserId)));
    }

    private static async Task<CreateWorkspaceResult> CreateAsync(PortalFactory portal, Actor actor)
    {
        await using var scope = portal.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<WorkspaceCreator>().CreateAsync(actor, $"Farm {Guid.NewGuid():N}"[..13]);
    }
}
