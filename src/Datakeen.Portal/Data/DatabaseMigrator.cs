using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Data;

// Applies pending migrations before the server starts listening. A PostgreSQL advisory lock
// serialises instances that start together, so only one of them migrates.
public sealed class DatabaseMigrator(
    IDbContextFactory<PortalDbContext> contextFactory,
    IConfiguration configuration,
    ILogger<DatabaseMigrator> logger) : IHostedService
{
    // Any constant shared by every instance: "datakeen" in ASCII.
    private const long MigrationLockId = 0x64617461_6b65656e;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue("Database:MigrateOnStartup", true))
        {
            return;
        }

        await using var db = await contextFactory.CreateDbContextAsync(cancellationToken);
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_lock({MigrationLockId})", cancellationToken);
            var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            if (pending.Count > 0)
            {
                logger.LogInformation("Applying {Count} database migration(s): {Migrations}", pending.Count, pending);
                await db.Database.MigrateAsync(cancellationToken);
            }
        }
        finally
        {
            await db.Database.ExecuteSqlRawAsync($"SELECT pg_advisory_unlock({MigrationLockId})", CancellationToken.None);
            await db.Database.CloseConnectionAsync();
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
