using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;

namespace Datakeen.Portal.IntegrationTests.Workspaces;

internal static class WorkspaceTestUsers
{
    // A signed-in person as the services see them (the row that sign-in would have created).
    public static async Task<Actor> CreateAsync(PortalDbContext db, string? email = null)
    {
        var user = new PortalUser
        {
            Id = Guid.NewGuid(),
            Issuer = "https://issuer.test/",
            Subject = Guid.NewGuid().ToString("N"),
            Email = email ?? $"{Guid.NewGuid():N}@example.test",
            EmailVerified = true,
            DisplayName = "Test user",
            CreatedAt = DateTimeOffset.UtcNow,
            LastSignInAt = DateTimeOffset.UtcNow,
        };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return new Actor(user.Id, user.DisplayName, "192.0.2.10", "xunit");
    }
}
