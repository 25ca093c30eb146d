using Datakeen.Portal.Auth;
using Datakeen.Portal.Data;

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
        // A live browser session, as sign-in creates it: services refuse a person without one.
        var session = new Datakeen.Portal.Auth.Sessions.UserSession
        {
            Id = Guid.NewGuid(), UserId = user.Id, Ticket = [], Issuer = user.Issuer, AuthenticatedAt = user.CreatedAt,
            CreatedAt = user.CreatedAt, LastSeenAt = user.CreatedAt,
        };
        db.Users.Add(user);
        db.UserSessions.Add(session);
        await db.SaveChangesAsync();
        return new Actor(user.Id, user.DisplayName, "192.0.2.10", "xunit") { SessionId = session.Id };
    }
}
