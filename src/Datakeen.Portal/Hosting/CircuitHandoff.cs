using System.Collections.Concurrent;
using Datakeen.Portal.Infrastructure;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;
using StackExchange.Redis;

namespace Datakeen.Portal.Hosting;

// Open tabs outlive their instance (docs/deploy.md, "Rolling restart"). On a graceful stop (SIGTERM) the instance
// first refuses new pages and circuits with 503 (nginx passes them to another instance), then asks every open tab
// to pause its circuit: Blazor persists the circuit's state and hands it to the browser, protected with the shared
// Data Protection key ring, and the tab resumes it on another instance (wwwroot/js/reconnect.js). The process stops
// once no tab is connected to it any more, or after HandoffTimeout. A tab whose instance died without a word
// (SIGKILL) has nothing to resume: it reloads itself.
public sealed class CircuitHandoff(IHostApplicationLifetime lifetime, ILogger<CircuitHandoff> logger) : IHostedService
{
    // What a stop waits for the open tabs at most; run.sh and compose allow more before they KILL.
    public static readonly TimeSpan HandoffTimeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, OpenCircuit> _circuits = new(StringComparer.Ordinal);
    private volatile bool _draining;

    public bool IsDraining => _draining;

    internal int ConnectedCount => _circuits.Values.Count(c => c.Connected);

    internal void Opened(string circuitId, IJSRuntime js) => _circuits[circuitId] = new OpenCircuit(js) { Connected = true };

    internal void Closed(string circuitId) => _circuits.TryRemove(circuitId, out _);

    internal void ConnectionChanged(string circuitId, bool connected)
    {
        if (_circuits.TryGetValue(circuitId, out var circuit))
        {
            circuit.Connected = connected;
        }
    }

    // Registered once the host has started, after SignalR's own ApplicationStopping callback (which closes every
    // connection at once): those callbacks run last registered first, so the tabs are handed off while their
    // connections are still open, and the stop waits for it (on the thread that handles SIGTERM).
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(() =>
            lifetime.ApplicationStopping.Register(() => HandOffAsync(CancellationToken.None).GetAwaiter().GetResult()));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task HandOffAsync(CancellationToken cancellationToken)
    {
        _draining = true;
        var open = _circuits.Values.Where(c => c.Connected).ToList();
        if (open.Count == 0)
        {
            return;
        }

        logger.LogInformation("Stopping: handing {Count} open tabs off to the other instances", open.Count);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(HandoffTimeout);
        await Task.WhenAll(open.Select(c => AskToPauseAsync(c.Js, deadline.Token)));
        using var poll = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (ConnectedCount > 0 && await poll.WaitForNextTickAsync(deadline.Token))
            {
            }
        }
        catch (OperationCanceledException)
        {
            // Out of time: what is still connected reconnects elsewhere by itself once the process is gone.
        }

        logger.LogInformation("Stopping: {Left} of {Count} open tabs still connected", ConnectedCount, open.Count);
    }

    private static async Task AskToPauseAsync(IJSRuntime js, CancellationToken cancellationToken)
    {
        try
        {
            // The browser schedules the pause and answers at once (the pause ends this very connection).
            await js.InvokeVoidAsync("datakeenReconnect.handOff", cancellationToken);
        }
        catch (Exception ex) when (ex is JSException or JSDisconnectedException or OperationCanceledException or InvalidOperationException)
        {
            // That tab is going or gone anyway.
        }
    }

    private sealed class OpenCircuit(IJSRuntime js)
    {
        public IJSRuntime Js { get; } = js;

        public volatile bool Connected;
    }
}

// Keeps CircuitHandoff's list of open circuits (one handler per circuit, with that circuit's JS runtime).
internal sealed class CircuitHandoffHandler(CircuitHandoff handoff, IJSRuntime js) : CircuitHandler
{
    public override Task OnCircuitOpenedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        handoff.Opened(circuit.Id, js);
        return Task.CompletedTask;
    }

    public override Task OnConnectionUpAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        handoff.ConnectionChanged(circuit.Id, connected: true);
        return Task.CompletedTask;
    }

    public override Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        handoff.ConnectionChanged(circuit.Id, connected: false);
        return Task.CompletedTask;
    }

    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        handoff.Closed(circuit.Id);
        return Task.CompletedTask;
    }
}

public static class CircuitHandoffExtensions
{
    public static IServiceCollection AddCircuitHandoff(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<CircuitHandoff>();
        services.AddHostedService(sp => sp.GetRequiredService<CircuitHandoff>());
        services.TryAddEnumerable(ServiceDescriptor.Scoped<CircuitHandler, CircuitHandoffHandler>());
        if (configuration["Redis:Configuration"] is { Length: > 0 })
        {
            // A circuit whose connection dropped and was not resumed in time is persisted when its instance lets it
            // go; with Redis under HybridCache any instance can resume it (Blazor's circuit state persistence).
            // The circuits' state is written to Redis protected with the shared key ring (Blazor protects what it
            // hands to a browser, not what it gives its HybridCache).
            services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((options, sp) =>
            {
                options.InstanceName = "datakeen:circuits:";
                options.ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>());
            });
            services.AddSingleton<IDistributedCache>(sp => new ProtectedDistributedCache(
                new RedisCache(sp.GetRequiredService<IOptions<RedisCacheOptions>>()),
                sp.GetRequiredService<IDataProtectionProvider>().CreateProtector("Datakeen.Portal.CircuitState")));
            services.AddHybridCache();
            services.AddOptions<CircuitOptions>().Configure<HybridCache>((options, cache) => options.HybridPersistenceCache = cache);
        }
        return services;
    }

    // While the instance stops, new pages and circuits go elsewhere: 503, which nginx passes to the next instance
    // (pages) or the tab retries (a circuit's resume). The API and the open circuits are served until the end.
    public static IApplicationBuilder UseCircuitHandoff(this IApplicationBuilder app)
    {
        var handoff = app.ApplicationServices.GetRequiredService<CircuitHandoff>();
        return app.Use((context, next) =>
        {
            if (!handoff.IsDraining || PortalPaths.IsApi(context.Request.Path) || context.Request.Path == "/healthz" ||
                !(HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method) ||
                  context.Request.Path.StartsWithSegments("/_blazor")))
            {
                return next(context);
            }

            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "1";
            context.Response.Headers.CacheControl = "no-store";
            return context.Response.WriteAsync("stopping");
        });
    }
}

// A distributed cache whose values are protected (encrypted and authenticated) on the way in and checked on the way
// out; a value that does not unprotect reads as missing.
internal sealed class ProtectedDistributedCache(IDistributedCache inner, IDataProtector protector) : IDistributedCache
{
    public byte[]? Get(string key) => Unprotect(inner.Get(key));

    public async Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Unprotect(await inner.GetAsync(key, token));

    public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => inner.Set(key, protector.Protect(value), options);

    public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
        inner.SetAsync(key, protector.Protect(value), options, token);

    public void Refresh(string key) => inner.Refresh(key);

    public Task RefreshAsync(string key, CancellationToken token = default) => inner.RefreshAsync(key, token);

    public void Remove(string key) => inner.Remove(key);

    public Task RemoveAsync(string key, CancellationToken token = default) => inner.RemoveAsync(key, token);

    private byte[]? Unprotect(byte[]? value)
    {
        if (value is null)
        {
            return null;
        }
        try
        {
            return protector.Unprotect(value);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}
