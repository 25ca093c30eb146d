using Datakeen.Portal.Data;
using Datakeen.Portal.Workspaces;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.Testing;

// What a test reads back from the database to check a result (never used to decide anything in the portal).
public static class TestDatabaseReads
{
    // The user's role in the workspace as stored, or null when they have no membership there.
    public static Task<WorkspaceRole?> RoleOfAsync(this PortalDbContext db, Guid workspaceId, Guid userId) =>
        db.Memberships.AsNoTracking()
            .Where(m => m.WorkspaceId == workspaceId && m.UserId == userId)
            .Select(m => (WorkspaceRole?)m.Role)
            .SingleOrDefaultAsync();
}

// Fixed options for services a test composes by hand.
public sealed class OptionsMonitorOf<T>(T value) : IOptionsMonitor<T>
{
    public T CurrentValue => value;

    public T Get(string? name) => value;

    public IDisposable? OnChange(Action<T, string?> listener) => null;
}
