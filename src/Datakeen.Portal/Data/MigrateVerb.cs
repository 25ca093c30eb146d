namespace Datakeen.Portal.Data;

// `dotnet Datakeen.Portal.dll migrate`: applies the pending EF Core migrations (the same DatabaseMigrator the
// portal runs at start when Database__MigrateOnStartup is true, with its advisory lock) and exits. The
// docker-compose "migrate" service runs it as the database owner before the replicas start, so that the
// replicas can run as a role that owns nothing (docs/operations.md, "Migrations").
public static class MigrateVerb
{
    public const string Name = "migrate";

    // The database alone (not OperatorHost's whole portal: the migration needs no key-ring certificate, provider
    // or mail settings), configured from the same sources: appsettings*.json next to the assembly, environment.
    internal static async Task<int> RunAsync(string[] args, IConfiguration? overrides, TextWriter error)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        if (overrides is not null)
        {
            builder.Configuration.AddConfiguration(overrides);
        }
        IConfiguration configuration = builder.Configuration;

        if (args.Length > 0)
        {
            await error.WriteLineAsync("usage: migrate   (ConnectionStrings__Portal names the database; the role must own it)");
            return 2;
        }

        var services = new ServiceCollection()
            .AddLogging(logging => logging.AddSimpleConsole(console => console.SingleLine = true)
                .AddFilter("Microsoft.EntityFrameworkCore", LogLevel.Warning))
            .AddSingleton(configuration)
            .AddPortalData(configuration);
        await using var provider = services.BuildServiceProvider();
        try
        {
            // Whatever Database:MigrateOnStartup says for the replicas, this verb is asked to migrate.
            var migrator = new DatabaseMigrator(
                provider.GetRequiredService<Microsoft.EntityFrameworkCore.IDbContextFactory<PortalDbContext>>(),
                new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "true" }).Build(),
                provider.GetRequiredService<ILogger<DatabaseMigrator>>());
            await migrator.StartAsync(CancellationToken.None);
            await error.WriteLineAsync("migrate: the database is up to date.");
            return 0;
        }
        catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
        {
            await error.WriteLineAsync($"migrate: {ex.Message}");
            return 1;
        }
    }
}
