using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;
using Xunit;

namespace Datakeen.Portal.Testing;

// One migrated database per test class (IClassFixture). Dropped when the class is done.
public sealed class PortalDatabaseFixture : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await TestPostgres.CreateMigratedDatabaseAsync();

    public Task DisposeAsync() => TestPostgres.DropDatabaseAsync(ConnectionString);

    public PortalDbContext CreateDbContext() =>
        new(new DbContextOptionsBuilder<PortalDbContext>()
            .UseNpgsql(ConnectionString)
            .UseSnakeCaseNamingConvention()
            .Options);
}
