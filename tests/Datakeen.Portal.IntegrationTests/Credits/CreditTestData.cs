using Datakeen.Portal.Auth.Sessions;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Testing;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Credits;

// The credit services wired by hand on a test database, and the few reads the tests check them with.
internal sealed class CreditTestData
{
    private static readonly ConcurrentDictionary<string, NpgsqlDataSource> DataSources = new();

    public CreditTestData(string connectionString, TimeProvider? time = null)
    {
        Time = time ?? TimeProvider.System;
        // One data source per database, as the portal has one, shared by the EF Core contexts and the raw commands.
        DataSource = DataSources.GetOrAdd(connectionString,
            cs => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(cs) { MaxPoolSize = 100 }.ConnectionString));
        Contexts = new PooledDbContextFactory<PortalDbContext>(new DbContextOptionsBuilder<PortalDbContext>()
            .UseNpgsql(DataSource)
            .UseSnakeCaseNamingConvention()
            .Options);
        // Not started: the debits' notifications stay pending (tests of the notifier start their own).
        Meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        Notifier = new CoalescedNotifier(DataSource, NullLogger<CoalescedNotifier>.Instance, Meters);
        Balances = new CreditBalanceCache(DataSource, Feed, Time);
        Guard = new WorkspaceGuard(Contexts,
            new StepUp(new UserSessions(Contexts, new OptionsMonitorOf<SessionOptions>(new SessionOptions()), Time,
                NullLogger<UserSessions>.Instance), new OptionsMonitorOf<StepUpOptions>(new StepUpOptions()), Time),
            new AuditLog(Contexts, Time));
        Views = new CreditViews(Contexts, Guard, Feed, Time, Meters);
        // One ledger, as the portal has one: its debits are group-committed together.
        Ledger = new CreditLedger(Contexts, DataSource, new AuditLog(Contexts, Time), Time, Notifier, Balances, Meters);
    }

    // This process's feed: nothing listens to PostgreSQL here; tests publish on it as the listener would.
    public ChangeFeed Feed { get; } = new();

    public CoalescedNotifier Notifier { get; }

    public CreditBalanceCache Balances { get; }

    public CreditViews Views { get; }

    public WorkspaceGuard Guard { get; }

    public TimeProvider Time { get; }

    public NpgsqlDataSource DataSource { get; }

    public IDbContextFactory<PortalDbContext> Contexts { get; }

    // The scope of the ledger's meters (a MeterListener tells them from other tests' by Meter.Scope).
    public IMeterFactory Meters { get; }

    public CreditLedger Ledger { get; }

    public IdempotencyStore Idempotency => new(Contexts, Time);

    public CreditQueries Queries => new(Contexts, Views, Guard);

    public WelcomeCredits Welcome => new(Time);

    // A workspace as workspace creation leaves it: 20 test credits, 0 production credits.
    public async Task<Guid> CreateWorkspaceAsync()
    {
        var id = await CreateBareWorkspaceAsync();
        await using var db = await Contexts.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();
        await Welcome.GrantAsync(db, id);
        await transaction.CommitAsync();
        return id;
    }

    public async Task<Guid> CreateBareWorkspaceAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync();
        var workspace = new Workspace { Id = Guid.NewGuid(), Name = "Credits", Slug = $"credits-{Guid.NewGuid():N}"[..24] };
        db.Workspaces.Add(workspace);
        await db.SaveChangesAsync();
        return workspace.Id;
    }

    // The summary as GET /api/v1/credits reads it: with a (secret) key of that workspace and environment.
    public Task<CreditSummary> SummaryAsync(Guid workspaceId, KeyEnvironment environment) =>
        Queries.GetSummaryAsync(new VerifiedKey
        {
            KeyId = Guid.NewGuid(),
            WorkspaceId = workspaceId,
            WorkspaceName = "Credits",
            WorkspaceSlug = "credits",
            Environment = environment,
            Kind = KeyKind.Secret,
            Hint = "dk_test_sk_…test",
        });

    // A signed-in user who is a member of the workspace, as the portal's pages pass them to the services.
    public async Task<Actor> MemberAsync(Guid workspaceId, WorkspaceRole role = WorkspaceRole.Member)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        var user = new PortalUser { Id = Guid.NewGuid(), Issuer = "https://issuer.test", Subject = $"{Guid.NewGuid():N}", DisplayName = "Credits member" };
        var now = DateTimeOffset.UtcNow;
        // A live browser session, as sign-in creates it: services refuse a person without one.
        var session = new UserSession
        {
            Id = Guid.NewGuid(), UserId = user.Id, Ticket = [], AuthenticatedAt = now, CreatedAt = now, LastSeenAt = now,
        };
        db.Users.Add(user);
        db.UserSessions.Add(session);
        db.Memberships.Add(new Membership { Id = Guid.NewGuid(), WorkspaceId = workspaceId, UserId = user.Id, Role = role });
        await db.SaveChangesAsync();
        return new Actor(user.Id, user.DisplayName, "127.0.0.1", "tests") { SessionId = session.Id };
    }

    public async Task<List<AuditEvent>> AuditEventsAsync(Guid workspaceId)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.AuditEvents.AsNoTracking().Where(e => e.WorkspaceId == workspaceId).ToListAsync();
    }

    public async Task<long> BalanceAsync(Guid workspaceId, KeyEnvironment environment)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.CreditAccounts.Where(a => a.WorkspaceId == workspaceId && a.Environment == environment)
            .Select(a => a.Balance).SingleAsync();
    }

    public async Task<List<CreditLedgerEntry>> EntriesAsync(Guid workspaceId, KeyEnvironment environment)
    {
        await using var db = await Contexts.CreateDbContextAsync();
        return await db.CreditLedgerEntries.AsNoTracking()
            .Where(e => e.WorkspaceId == workspaceId && e.Environment == environment)
            .ToListAsync();
    }

    // The ledger invariant (docs/architecture.md): the balance equals the sum of the entries.
    public async Task AssertBalanceMatchesLedgerAsync(Guid workspaceId, KeyEnvironment environment)
    {
        var entries = await EntriesAsync(workspaceId, environment);
        Assert.Equal(entries.Sum(e => e.Amount), await BalanceAsync(workspaceId, environment));
    }

    // With a key: hashed as credits/consume hashes its requests.
    public static ConsumeCommand Consume(Guid workspaceId, KeyEnvironment environment, int amount = 1, string? key = null,
        string? reference = null, string? requestId = null) =>
        new(workspaceId, environment, amount, reference, key, ActorApiKeyId: null,
            key is null ? null : HashOf(environment, amount, reference), key is null ? null : requestId ?? "request-" + key);

    public static byte[] HashOf(KeyEnvironment environment, int amount, string? reference = null) => IdempotencyStore.HashRequest(
        "POST", "/api/v1/credits/consume", environment == KeyEnvironment.Test ? "test" : "production", amount, reference);
}

// One migrated database per test class, through the shared fixture.
public abstract class CreditDatabaseTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    private protected CreditTestData Data { get; } = new(database.ConnectionString);

    private protected CreditTestData WithTime(TimeProvider time) => new(database.ConnectionString, time);
}
