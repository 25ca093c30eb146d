using Datakeen.Portal.Auth;
using Datakeen.Portal.Workspaces;

namespace Datakeen.Portal.Components.Layout;

// The workspace context of a slug, once per scope: a page request (WorkspaceScope resolves it for the static page,
// the islands prerendered in the same request find it here) or a tab's circuit (the first island resolves it, the
// others of the same tab share it). Resolved through the guard (WorkspaceGuard.FindAsync); services still check
// every call themselves, this is what the page shows.
public sealed class WorkspaceContexts(CurrentActor actors, WorkspaceGuard guard)
{
    private readonly Dictionary<string, Task<WorkspaceContext?>> _bySlug = new(StringComparer.Ordinal);

    public Task<WorkspaceContext?> ForSlugAsync(string slug)
    {
        lock (_bySlug)
        {
            if (!_bySlug.TryGetValue(slug, out var context))
            {
                context = ResolveAsync(slug);
                _bySlug[slug] = context;
            }
            return context;
        }
    }

    // After a change that may move the caller's role (Members): read it again.
    public Task<WorkspaceContext?> RefreshAsync(string slug)
    {
        lock (_bySlug)
        {
            _bySlug.Remove(slug);
        }
        return ForSlugAsync(slug);
    }

    // A context resolved elsewhere in this scope (tests hand theirs in the same way).
    public void Remember(WorkspaceContext context)
    {
        lock (_bySlug)
        {
            _bySlug[context.Slug] = Task.FromResult<WorkspaceContext?>(context);
        }
    }

    private async Task<WorkspaceContext?> ResolveAsync(string slug)
    {
        if (await actors.GetAsync() is not { } actor)
        {
            return null;
        }

        return await guard.FindAsync(slug, actor) is { } workspace ? WorkspaceContext.From(workspace, actor) : null;
    }
}
