using Microsoft.EntityFrameworkCore;
using Datakeen.Portal.Data;

namespace Datakeen.Portal.Operator;

// The container an operator verb runs in: the web host's own composition (PortalComposition.AddPortal), with
// the same configuration sources (appsettings.json and appsettings.{Environment}.json next to the assembly, then
// environment variables), built but never started — no listener, no background job.
public static class OperatorHost
{
    public static WebApplication Build(IConfiguration? overrides)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        if (overrides is not null)
        {
            builder.Configuration.AddConfiguration(overrides);
        }

        builder.Logging.ClearProviders();
        return builder.AddPortal().Build();
    }

    // The workspace named by slug or id, or null.
    public static async Task<(Guid Id, string Slug)?> FindWorkspaceAsync(IServiceProvider services, string slugOrId)
    {
        var id = Guid.TryParse(slugOrId, out var parsed) ? parsed : (Guid?)null;
        await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var workspace = await db.Workspaces.AsNoTracking()
            .Where(w => w.Slug == slugOrId || (id != null && w.Id == id))
            .Select(w => new { w.Id, w.Slug })
            .SingleOrDefaultAsync();
        return workspace is null ? null : (workspace.Id, workspace.Slug);
    }
}
