using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Infrastructure;

public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => Results.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", async (IDbContextFactory<PortalDbContext> factory, CancellationToken ct) =>
        {
            try
            {
                await using var db = await factory.CreateDbContextAsync(ct);
                var pending = await db.Database.GetPendingMigrationsAsync(ct);
                return pending.Any()
                    ? Results.Text("database not migrated", statusCode: StatusCodes.Status503ServiceUnavailable)
                    : Results.Text("ready");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Results.Text("database unreachable", statusCode: StatusCodes.Status503ServiceUnavailable);
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }
}
