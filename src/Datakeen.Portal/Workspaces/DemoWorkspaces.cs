using Datakeen.Portal.Data;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.Workspaces;

// DemoData:Enabled (run.sh, end-to-end tests): Acme and Globex exist, created through WorkspaceCreator
// like any workspace, with their people invited by email so they join at their first sign-in.
// Idempotent: an existing slug is left alone, and two instances starting together collide on the slug.
internal sealed class DemoWorkspaces(
    IConfiguration configuration,
    IServiceScopeFactory scopeFactory,
    IDbContextFactory<PortalDbContext> contextFactory,
    ILogger<DemoWorkspaces> logger) : IHostedService
{
    private static readonly (string Name, string Slug, WorkspaceInvitation[] People)[] Demos =
    [
        ("Acme", "acme", [new("admin@acme.test", WorkspaceRole.Admin), new("member@acme.test", WorkspaceRole.Member)]),
        ("Globex", "globex", [new("admin@globex.test", WorkspaceRole.Admin)]),
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!configuration.GetValue("DemoData:Enabled", false))
        {
            return;
        }

        foreach (var (name, slug, people) in Demos)
        {
            await using (var db = await contextFactory.CreateDbContextAsync(cancellationToken))
            {
                if (await db.Workspaces.AnyAsync(w => w.Slug == slug, cancellationToken))
                {
                    continue;
                }
            }

            await using var scope = scopeFactory.CreateAsyncScope();
            var creator = scope.ServiceProvider.GetRequiredService<WorkspaceCreator>();
            var result = await creator.CreateWithInvitationsAsync(name, slug, people, cancellationToken);
            if (result.Succeeded)
            {
                logger.LogInformation("Demo workspace {Slug} created", slug);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
