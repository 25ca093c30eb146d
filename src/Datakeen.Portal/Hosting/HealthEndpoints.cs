using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Data;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Datakeen.Portal.Hosting;

// /healthz: the process answers (liveness; no dependency, so a database outage never gets it restarted).
// /readyz: it can serve (readiness): the database is reachable and migrated, the change feed is connected
// and delivering its keepalives, and Redis answers when it is configured. Plain-text answers: "ok",
// "ready", or what is wrong, with 503.
public static class HealthEndpoints
{
    private const string Ready = "ready";

    public static IServiceCollection AddPortalHealthChecks(this IServiceCollection services, IConfiguration configuration)
    {
        var checks = services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [Ready])
            .AddCheck<ChangeFeedHealthCheck>("change-feed", tags: [Ready]);
        if (configuration["Redis:Configuration"] is { Length: > 0 })
        {
            checks.AddCheck<RedisHealthCheck>("redis", tags: [Ready]);
        }
        return services;
    }

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, _) => context.Response.WriteAsync("ok"),
        }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = (context, report) => context.Response.WriteAsync(report.Status == HealthStatus.Healthy
                ? Ready
                : string.Join("; ", report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
                    .Select(e => e.Value.Description ?? e.Key))),
        }).AllowAnonymous();
        return app;
    }

    private sealed class DatabaseHealthCheck(IDbContextFactory<PortalDbContext> factory) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await using var db = await factory.CreateDbContextAsync(ct);
                var pending = await db.Database.GetPendingMigrationsAsync(ct);
                return pending.Any() ? HealthCheckResult.Unhealthy("database not migrated") : HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The exception stays out of the answer: it may name hosts and users.
                return HealthCheckResult.Unhealthy("database unreachable");
            }
        }
    }

    private sealed class ChangeFeedHealthCheck(ChangeFeedStatus status) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
            Task.FromResult(status.Problem() is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy());
    }

    private sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            try
            {
                await redis.GetDatabase().PingAsync();
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                // Degraded, not unready: the rate limits fall back to per-instance windows meanwhile.
                return HealthCheckResult.Degraded("redis unreachable");
            }
        }
    }
}
