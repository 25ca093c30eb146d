using System.Net;
using Datakeen.Portal.Testing;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Foundation;

public sealed class MigrationTests
{
    [Fact]
    public async Task Two_instances_starting_together_on_an_empty_database_both_end_up_ready()
    {
        var empty = await TestPostgres.CreateEmptyDatabaseAsync();
        try
        {
            await using var first = new PortalFactory(empty);
            await using var second = new PortalFactory(empty);

            // Both hosts start (and migrate) at the same time; the advisory lock serialises them.
            var clients = await Task.WhenAll(Task.Run(() => first.CreateClient()), Task.Run(() => second.CreateClient()));

            foreach (var client in clients)
            {
                Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
            }

            await using var connection = new NpgsqlConnection(empty);
            await connection.OpenAsync();
            await using var count = new NpgsqlCommand("SELECT count(*) FROM __ef_migrations_history", connection);
            Assert.True((long)(await count.ExecuteScalarAsync())! >= 1);
        }
        finally
        {
            await TestPostgres.DropDatabaseAsync(empty);
        }
    }
}
