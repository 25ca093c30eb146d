using System.Net.Http.Headers;
using Datakeen.Portal.Data;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Datakeen.Portal.Testing;

// The one host base of the integration tests: a migrated database of its own and the real portal on it,
// started once per test class (IClassFixture<PortalHost>, or a subclass that overrides Settings or
// ConfigureTestServices). Tests share the host, so each creates its own workspace and data.
public class PortalHost : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";
    public PortalFactory Portal { get; private set; } = null!;

    // Host settings on top of the defaults (PortalFactory passes them before Program composes services).
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    // Registrations of the test host itself (a clock, a probe endpoint), applied after the portal's own.
    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    public virtual async Task InitializeAsync()
    {
        ConnectionString = await TestPostgres.CreateMigratedDatabaseAsync();
        Portal = new PortalFactory(ConnectionString, new Dictionary<string, string?>(Settings))
        {
            TestServices = ConfigureTestServices,
        };
        Start();
    }

    // In memory (TestServer) by default; PortalStack listens on a real port instead.
    protected virtual void Start() => _ = Portal.Services;

    public virtual async Task DisposeAsync()
    {
        if (Portal is not null)
        {
            await Portal.DisposeAsync();
        }
        if (ConnectionString.Length > 0)
        {
            await TestPostgres.DropDatabaseAsync(ConnectionString);
        }
    }

    public T Service<T>() where T : notnull => Portal.Services.GetRequiredService<T>();

    public PortalDbContext CreateDbContext() => TestPostgres.CreateDbContext(ConnectionString);

    // An in-memory client of the portal, with `Authorization: Bearer <key>` when a key is given.
    public HttpClient ClientWith(string? key)
    {
        var client = Portal.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }
}
