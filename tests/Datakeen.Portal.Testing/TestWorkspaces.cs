using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.Testing;

// A workspace created the way workspace creation does it (one transaction: workspace, Admin membership,
// the four keys, the welcome credits), with the plaintexts of its keys for the test to use.
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
        var slug = $"{Slugify(name)}-{Guid.NewGuid():N}"[..Math.Min(40, Slugify(name).Length + 33)];
        var now = DateTimeOffset.UtcNow;

        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        await using var transaction = await db.Database.BeginTransactionAsync();

        var admin = NewUser("admin", now);
        var workspace = new Workspace { Id = Guid.NewGuid(), Name = name, Slug = slug, CreatedAt = now, CreatedByUserId = admin.Id };
        db.Users.Add(admin);
        db.Workspaces.Add(workspace);
        db.Memberships.Add(new Membership { Id = Guid.NewGuid(), WorkspaceId = workspace.Id, UserId = admin.Id, Role = WorkspaceRole.Admin, CreatedAt = now });
        await db.SaveChangesAsync();

        var keys = await services.GetRequiredService<ApiKeyProvisioner>().IssueInitialKeysAsync(db, workspace.Id, admin.Id);
        await services.GetRequiredService<WelcomeCredits>().GrantAsync(db, workspace.Id);
        await db.SaveChangesAsync();
        await transaction.CommitAsync();

        return new TestWorkspace(workspace.Id, name, slug, ActorFor(admin), keys);
    }

    // Adds a user with the Member role to the workspace and returns them as an actor.
    public static async Task<Actor> AddMemberAsync(IServiceProvider services, Guid workspaceId,
        WorkspaceRole role = WorkspaceRole.Member)
    {
        var now = DateTimeOffset.UtcNow;
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var user = NewUser(role.ToString().ToLowerInvariant(), now);
        db.Users.Add(user);
        db.Memberships.Add(new Membership { Id = Guid.NewGuid(), WorkspaceId = workspaceId, UserId = user.Id, Role = role, CreatedAt = now });
        await db.SaveChangesAsync();
        return ActorFor(user);
    }

    // A signed-in user who belongs to no workspace.
    public static async Task<Actor> CreateOutsiderAsync(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IDbContextFactory<PortalDbContext>>();
        await using var db = await factory.CreateDbContextAsync();
        var user = NewUser("outsider", DateTimeOffset.UtcNow);
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return ActorFor(user);
    }

    private static PortalUser NewUser(string role, DateTimeOffset now)
    {
        var id = Guid.NewGuid();
        return new PortalUser
        {
            Id = id,
            Issuer = "https://idp.test",
            Subject = id.ToString("N"),
            Email = $"{role}-{id:N}@example.test",
            EmailVerified = true,
            DisplayName = $"Test {role}",
            CreatedAt = now,
            LastSignInAt = now,
        };
    }

    private static Actor ActorFor(PortalUser user) => new(user.Id, user.DisplayName, "127.0.0.1", "tests");

    private static string Slugify(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var slug = new string(chars).Trim('-');
        return slug.Length == 0 ? "ws" : slug[..Math.Min(slug.Length, 20)];
    }
}
