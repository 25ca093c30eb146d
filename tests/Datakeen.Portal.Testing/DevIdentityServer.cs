using Datakeen.Portal.DevIdentity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.Testing;

// The development OpenID Connect provider, in-process on Kestrel on a free port, with its own
// appsettings.json (the demo users and the portal client).
public sealed class DevIdentityServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DevIdentityServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public string Authority => Address.ToString().TrimEnd('/');

    public static async Task<DevIdentityServer> StartAsync(params string[] extraArgs)
    {
        string[] args =
        [
            "--environment=Development",
            $"--contentRoot={RepositoryPaths.Project("src/Datakeen.Portal.DevIdentity")}",
            "--urls=http://127.0.0.1:0",
            "--Logging:LogLevel:Default=Warning",
            .. extraArgs,
        ];
        var app = DevIdentityProgram.CreateApp(args);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First();
        return new DevIdentityServer(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
