using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.Data;

public static class DataServiceCollectionExtensions
{
    public const string ConnectionStringName = "Portal";

    public static IServiceCollection AddPortalData(this IServiceCollection services, IConfiguration configuration)
    {
        var connectionString = configuration.GetConnectionString(ConnectionStringName)
            ?? throw new InvalidOperationException(
                $"Connection string '{ConnectionStringName}' is missing (set ConnectionStrings__{ConnectionStringName}).");

        services.AddSingleton(_ =>
        {
            var builder = new NpgsqlDataSourceBuilder(connectionString);
            // A pooled connection goes back to the pool as it is: the portal never leaves session state behind
            // (no SET, no temporary tables; the migrator releases its advisory lock; LISTEN has its own connection
            // that never returns to the pool). Without this, every request's connection is reset by a sequence of
            // statements (RESET ALL, CLOSE ALL, UNLISTEN *, ...) that PostgreSQL runs before the request's own
            // (docs/benchmarks.md, credits: about a quarter of PostgreSQL's work per debit).
            if (!new NpgsqlConnectionStringBuilder(connectionString).ContainsKey("No Reset On Close"))
            {
                builder.ConnectionStringBuilder.NoResetOnClose = true;
            }

            return builder.Build();
        });
        // Pooled: a context handed out by the factory keeps its internal service scope (EF Core's query compiler,
        // model, translators, ...) from one use to the next and is reset when disposed. Without the pool, every
        // `CreateDbContextAsync` built that scope again: about a fifth of the bytes a signed-in page GET allocated,
        // six contexts per page (docs/benchmarks.md, "Issue 21, fifth stop"). PortalDbContext holds no state of its
        // own (its only constructor parameter is the options), which pooling requires.
        services.AddPooledDbContextFactory<PortalDbContext>((sp, options) => options
            .UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
            .UseSnakeCaseNamingConvention());

        // Registered before Data Protection: hosted services start in order, and the key ring is read
        // from the database at startup, so the tables must exist first.
        services.AddHostedService<DatabaseMigrator>();

        // Data Protection keys live in PostgreSQL so every replica can decrypt what another encrypted.
        services.AddDataProtection()
            .SetApplicationName("Datakeen.Portal")
            .PersistKeysToDbContext<PortalDbContext>();

        services.AddSingleton(TimeProvider.System);
        return services;
    }
}
