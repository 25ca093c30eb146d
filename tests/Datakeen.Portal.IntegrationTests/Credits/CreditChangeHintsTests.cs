using System.Collections.Concurrent;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Credits;

// Credit notifications are hints sent after the debit's commit, coalesced and batched (CoalescedNotifier); the
// tabs share one load of the credits per workspace and change (CreditViews), and reconcile with the ledger when
// a hint is lost.
public sealed class CreditChangeHintsTests(PortalDatabaseFixture database) : CreditDatabaseTests(database)
{
    [Fact]
    public async Task A_debit_sends_no_notification_from_inside_its_transaction()
    {
        var workspace = await Data.CreateWorkspaceAsync();
        await using var listener = await ListenAsync();

        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspace, KeyEnvironment.Test));

        // Notifications arrive in commit order: once our probe, sent after the debit committed, is heard, anything
        // the debit's own transaction had sent would have been heard before it. The notifier was never started.
        await listener.ProbeAsync();
        Assert.DoesNotContain(listener.Heard, p => ChangePayload.WorkspaceOf(p) == workspace);
    }

    [Fact]
    public async Task Debits_pending_together_are_announced_by_one_statement_once_per_workspace()
    {
        var workspaces = new[] { await Data.CreateWorkspaceAsync(), await Data.CreateWorkspaceAsync(), await Data.CreateWorkspaceAsync() };
        using var statements = new MeterCount(Data.Meters, "datakeen.change_feed.notify_statements");
        await using var listener = await ListenAsync();
        // 30 debits, 10 per workspace, in parallel, while the notifier is not running yet: all of them pending.
        await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
            Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspaces[i % 3], KeyEnvironment.Test))));

        await Data.Notifier.StartAsync(CancellationToken.None);
        try
        {
            await listener.WaitForAsync(workspaces);
            await listener.ProbeAsync();
        }
        finally
        {
            await Data.Notifier.StopAsync(CancellationToken.None);
        }

        Assert.Equal(1, statements.Total);
        foreach (var workspace in workspaces)
        {
            Assert.Equal(ChangePayload.For(workspace, "Test"), Assert.Single(listener.Heard, p => ChangePayload.WorkspaceOf(p) == workspace));
        }
    }

    [Fact]
    public async Task A_lone_debit_is_announced_without_waiting_for_other_changes()
    {
        var workspace = await Data.CreateWorkspaceAsync();
        await using var listener = await ListenAsync();
        await Data.Notifier.StartAsync(CancellationToken.None);
        try
        {
            await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspace, KeyEnvironment.Test));

            await listener.WaitForAsync([workspace]);
        }
        finally
        {
            await Data.Notifier.StopAsync(CancellationToken.None);
        }

        Assert.Equal(ChangePayload.For(workspace, "Test"), Assert.Single(listener.Heard));
    }

    [Fact]
    public async Task The_changes_still_pending_when_the_portal_stops_are_announced()
    {
        var workspace = await Data.CreateWorkspaceAsync();
        await using var listener = await ListenAsync();
        await Data.Notifier.StartAsync(CancellationToken.None);
        // The first debit wakes the loop; the second may find it inside its window: stopping sends it anyway.
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspace, KeyEnvironment.Test));
        var other = await Data.CreateWorkspaceAsync();
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(other, KeyEnvironment.Test));

        await Data.Notifier.StopAsync(CancellationToken.None);

        await listener.WaitForAsync([workspace, other]);
    }

    [Fact]
    public async Task Every_tab_of_a_workspace_shares_one_load_per_change()
    {
        var workspace = await Data.CreateWorkspaceAsync();
        var members = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Data.MemberAsync(workspace)));
        using var loads = new MeterCount(Data.Meters, "datakeen.credits.view_loads");

        var views = await Task.WhenAll(members.Select(m => Data.Queries.GetViewAsync(workspace, m, KeyEnvironment.Test, TimeSpan.FromMinutes(1))));

        Assert.Equal(1, loads.Total);
        Assert.All(views, v => Assert.Same(views[0], v));
        Assert.Equal(20, views[0]!.Summary.Balance);

        // A debit and its notification (as the listener publishes it): the next reads load once more, and see it.
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspace, KeyEnvironment.Test, 3, reference: "after"));
        Data.Feed.Publish(ChangeFeed.CreditChannel, ChangePayload.For(workspace, "Test"));
        views = await Task.WhenAll(members.Select(m => Data.Queries.GetViewAsync(workspace, m, KeyEnvironment.Test, TimeSpan.FromMinutes(1))));

        Assert.Equal(2, loads.Total);
        Assert.All(views, v => Assert.Same(views[0], v));
        Assert.Equal(new CreditSummary(KeyEnvironment.Test, 17, 20, 3), views[0]!.Summary);
        Assert.Equal("after", views[0]!.History[0].Reference);
    }

    [Fact]
    public async Task A_shared_view_is_given_to_members_only()
    {
        var workspace = await Data.CreateWorkspaceAsync();
        var member = await Data.MemberAsync(workspace);
        var outsider = await Data.MemberAsync(await Data.CreateWorkspaceAsync());

        Assert.NotNull(await Data.Queries.GetViewAsync(workspace, member, KeyEnvironment.Test, TimeSpan.FromMinutes(1)));
        Assert.Null(await Data.Queries.GetViewAsync(workspace, outsider, KeyEnvironment.Test, TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public async Task A_member_who_joined_after_the_shared_load_gets_the_view()
    {
        var workspace = await Data.CreateWorkspaceAsync();
        var first = await Data.MemberAsync(workspace);
        using var loads = new MeterCount(Data.Meters, "datakeen.credits.view_loads");
        var view = await Data.Queries.GetViewAsync(workspace, first, KeyEnvironment.Test, TimeSpan.FromMinutes(1));

        var newcomer = await Data.MemberAsync(workspace);

        Assert.Same(view, await Data.Queries.GetViewAsync(workspace, newcomer, KeyEnvironment.Test, TimeSpan.FromMinutes(1)));
        Assert.Equal(1, loads.Total);
    }

    [Fact]
    public async Task A_dropped_notification_is_caught_up_when_the_view_is_older_than_the_caller_accepts()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var data = WithTime(time);
        var workspace = await data.CreateWorkspaceAsync();
        var member = await data.MemberAsync(workspace);
        var maxAge = TimeSpan.FromSeconds(15);
        Assert.Equal(20, (await data.Queries.GetViewAsync(workspace, member, KeyEnvironment.Test, maxAge))!.Summary.Balance);

        // Debited, and its notification dropped on purpose: nothing is published.
        await data.Ledger.ConsumeAsync(CreditTestData.Consume(workspace, KeyEnvironment.Test, 2));

        time.Advance(maxAge);
        Assert.Equal(20, (await data.Queries.GetViewAsync(workspace, member, KeyEnvironment.Test, maxAge))!.Summary.Balance);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(18, (await data.Queries.GetViewAsync(workspace, member, KeyEnvironment.Test, maxAge))!.Summary.Balance);
    }

    [Fact]
    public async Task A_reconnection_of_the_feed_empties_every_shared_view()
    {
        var workspace = await Data.CreateWorkspaceAsync();
        var member = await Data.MemberAsync(workspace);
        await Data.Queries.GetViewAsync(workspace, member, KeyEnvironment.Test, TimeSpan.FromMinutes(1));
        await Data.Ledger.ConsumeAsync(CreditTestData.Consume(workspace, KeyEnvironment.Test));

        Data.Feed.RaiseReconnected();

        Assert.Equal(19, (await Data.Queries.GetViewAsync(workspace, member, KeyEnvironment.Test, TimeSpan.FromMinutes(1)))!.Summary.Balance);
    }

    private async Task<Listener> ListenAsync()
    {
        var connection = await Data.DataSource.OpenConnectionAsync();
        var listener = new Listener(connection, Data.DataSource);
        await using var listen = new NpgsqlCommand($"LISTEN {ChangeFeed.CreditChannel}", connection);
        await listen.ExecuteNonQueryAsync();
        return listener;
    }

    // A LISTENing connection of the test's own, and the payloads it heard on the credit channel.
    private sealed class Listener : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly NpgsqlDataSource _dataSource;
        private readonly ConcurrentQueue<string> _heard = new();

        public Listener(NpgsqlConnection connection, NpgsqlDataSource dataSource)
        {
            _connection = connection;
            _dataSource = dataSource;
            connection.Notification += (_, e) => _heard.Enqueue(e.Payload);
        }

        public IReadOnlyList<string> Heard => _heard.Where(p => !p.StartsWith("probe-", StringComparison.Ordinal)).ToList();

        // Sends a probe from another connection and waits for it: everything committed before it was heard.
        public async Task ProbeAsync()
        {
            var probe = $"probe-{Guid.NewGuid():N}";
            await using (var other = await _dataSource.OpenConnectionAsync())
            await using (var notify = new NpgsqlCommand($"SELECT pg_notify('{ChangeFeed.CreditChannel}', '{probe}')", other))
            {
                await notify.ExecuteNonQueryAsync();
            }

            while (!_heard.Contains(probe))
            {
                await WaitAsync();
            }
        }

        public async Task WaitForAsync(IReadOnlyCollection<Guid> workspaces)
        {
            while (!workspaces.All(w => _heard.Any(p => ChangePayload.WorkspaceOf(p) == w)))
            {
                await WaitAsync();
            }
        }

        // Waits for the next notification; the test run's timeout bounds a notification that never comes.
        private async Task WaitAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _connection.WaitAsync(timeout.Token);
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
