using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Auth.Sessions;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.Testing;

// A workspace created by the portal's own WorkspaceCreator (one transaction: workspace, Admin membership, the four
// keys, the welcome credits), with the plaintexts of its keys for the test to use.
public sealed record TestWorkspace(
    Guid Id,
    string Name,
    string Slug,
    Actor Admin,
    IReadOnlyList<IssuedKey> Keys)
{
    public IssuedKey Key(KeyEnvironment environment, KeyKind kind) =>
        Keys.Single(k => k.Environment == environment && k.Kind == kind);

    public string TestPublicKey => Key(KeyEnvironment.Test, KeyKind.Public).Plaintext;
    public string TestSecretKey => Key(KeyEnvironment.Test, KeyKind.Secret).Plaintext;
    public string LivePublicKey => Key(KeyEnvironment.Production, KeyKind.Public).Plaintext;
    public string LiveSecretKey => Key(KeyEnvironment.Production, KeyKind.Secret).Plaintext;
}

public static class TestWorkspaces
{
    public static Task<TestWorkspace> CreateAsync(PortalFactory portal, string? name = null) =>
        CreateAsync(portal.Services, name);

    public static async Task<TestWorkspace> CreateAsync(IServiceProvider services, string? name = null)
    {
        name ??= $"Workspace {Guid.NewGuid():N}"[..20];
        var admin = await TestActors.SignedInAsync(services, "admin");

        await using var scope = services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<WorkspaceCreator>().CreateAsync(admin, name);
        if (created.WorkspaceId is not { } workspaceId)
        {
            throw new InvalidOperationException($"The workspace could not be created: {created.Error}");
        }

        // The plaintexts, as the tab would reveal them: public keys are stored, secrets as ciphertext (a secret
        // under the "Never" policy keeps none: its plaintext is empty here, by design).
        var secrets = services.GetRequiredService<ApiKeySecrets>();
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.WorkspaceId == workspaceId).ToListAsync();
        var issued = keys.Select(k => new IssuedKey(k,
            k.PublicValue ?? (k.ProtectedSecret is { } protectedSecret ? secrets.Unprotect(protectedSecret) : ""))).ToList();
        return new TestWorkspace(workspaceId, name, created.Slug!, admin, issued);
    }

    // Adds a signed-in user with the role to the workspace and returns them as an actor.
    public static async Task<Actor> AddMemberAsync(IServiceProvider services, Guid workspaceId,
        WorkspaceRole role = WorkspaceRole.Member)
    {
        var actor = await TestActors.SignedInAsync(services, role.ToString().ToLowerInvariant());
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Memberships.Add(new Membership { Id = Guid.NewGuid(), WorkspaceId = workspaceId, UserId = actor.UserId, Role = role, CreatedAt = now });
        await db.SaveChangesAsync();
        return actor;
    }

    // A signed-in user who belongs to no workspace.
    public static Task<Actor> CreateOutsiderAsync(IServiceProvider services) => TestActors.SignedInAsync(services, "outsider");
}

// People as the portal's pages pass them to the services: a user with a live browser session (the row the session
// ticket store writes at sign-in, authenticated now by the portal's clock), so every guard and step-up check runs
// for real. A test that wants a person without a live session ends it (UserSessions.RevokeAsync).
public static class TestActors
{
    public static async Task<Actor> SignedInAsync(IServiceProvider services, string role = "user", string? email = null)
    {
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var id = Guid.NewGuid();
        var user = new PortalUser
        {
            Id = id,
            Issuer = "https://idp.test",
            Subject = id.ToString("N"),
            Email = email ?? $"{role}-{id:N}@example.test",
            EmailVerified = true,
            DisplayName = $"Test {role}",
            CreatedAt = now,
            LastSignInAt = now,
        };
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return await SessionForAsync(services, user.Id, user.DisplayName);
    }

    // A new live session (signed in now) of an existing user: a user who signs in again.
    public static async Task<Actor> SessionForAsync(IServiceProvider services, Guid userId, string? displayName = null)
    {
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var session = new UserSession
        {
            Id = Guid.NewGuid(),
            UserId = userId,
            Ticket = [],
            AuthenticatedAt = now,
            CreatedAt = now,
            LastSeenAt = now,
            IpAddress = "127.0.0.1",
            UserAgent = "tests",
        };
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        db.UserSessions.Add(session);
        await db.SaveChangesAsync();
        return new Actor(userId, displayName, session.IpAddress, session.UserAgent) { SessionId = session.Id };
    }
}
