using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.Testing;

// The portal with its clock replaced, for tests of expiry (grace periods, rate-limit windows).
public sealed class FakeTimePortal(string connectionString, TimeProvider time,
    IReadOnlyDictionary<string, string?>? settings = null) : PortalFactory(connectionString, settings)
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton(time));
    }
}
