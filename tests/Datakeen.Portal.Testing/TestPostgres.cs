using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Datakeen.Portal.Testing;

// The PostgreSQL cluster that ./test.sh started. Each test class gets its own database, cloned from a
// template that was migrated once per test run, so classes run in parallel and never share state.
public static class TestPostgres
{
    public const string ServerVariable = "DATAKEEN_TEST_POSTGRES";

    private static readonly SemaphoreSlim TemplateLock = new(1, 1);
    private static readonly string TemplateName = $"dk_template_{Environment.ProcessId}_{Guid.NewGuid():N}"[..40];
    private static bool _templateReady;

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable(ServerVariable)
        ?? throw new InvalidOperationException(
            $"{ServerVariable} is not set. Run the tests through ./test.sh, which starts a throwaway PostgreSQL cluster.");

    public static string ConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = database }.ConnectionString;

    // Creates an empty, fully migrated database and returns its connection string.
    public static async Task<string> CreateMigratedDatabaseAsync()
    {
        await EnsureTemplateAsync();
        var name = $"dk_test_{Guid.NewGuid():N}"[..30];
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\" TEMPLATE \"{TemplateName}\"");
        return ConnectionStringFor(name);
    }

    // Creates an empty database with no schema (for tests of the migration step itself).
    public static async Task<string> CreateEmptyDatabaseAsync()
    {
        var name = $"dk_empty_{Guid.NewGuid():N}"[..30];
        await ExecuteOnServerAsync($"CREATE DATABASE \"{name}\"");
        return ConnectionStringFor(name);
    }

    public static PortalDbContext CreateDbContext(string connectionString) =>
        new(new DbContextOptionsBuilder<PortalDbContext>()
            .UseNpgsql(connectionString)
            .UseSnakeCaseNamingConvention()
            .Options);

    public static async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
    }

    private static async Task EnsureTemplateAsync()
    {
        if (_templateReady)
        {
            return;
        }

        await TemplateLock.WaitAsync();
        try
        {
            if (_templateReady)
            {
                return;
            }

            await ExecuteOnServerAsync($"CREATE DATABASE \"{TemplateName}\"");
            var options = new DbContextOptionsBuilder<PortalDbContext>()
                .UseNpgsql(ConnectionStringFor(TemplateName) + ";Pooling=false",
                    npgsql => npgsql.MigrationsHistoryTable("__ef_migrations_history"))
                .UseSnakeCaseNamingConvention()
                .Options;
            await using (var db = new PortalDbContext(options))
            {
                await db.Database.MigrateAsync();
            }

            _templateReady = true;
        }
        finally
        {
            TemplateLock.Release();
        }
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionStringFor("postgres") + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
