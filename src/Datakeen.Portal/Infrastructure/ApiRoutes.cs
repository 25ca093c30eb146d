using System.Collections.Frozen;

namespace Datakeen.Portal.Infrastructure;

// The HTTP methods of each /api route, read once from the app's endpoints, to tell "no such operation" (404)
// from "not with this method" (405). API routes are literal paths (no route parameters).
public sealed class ApiRoutes(IEnumerable<EndpointDataSource> sources)
{
    private FrozenDictionary<string, string[]>? _methods;

    public IReadOnlyList<string> MethodsOf(PathString path)
    {
        var methods = _methods ??= Collect(sources);
        return methods.TryGetValue(path.Value?.TrimEnd('/') ?? "", out var allowed) ? allowed : [];
    }

    private static FrozenDictionary<string, string[]> Collect(IEnumerable<EndpointDataSource> sources) =>
        sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.Parameters.Count == 0 && e.RoutePattern.RawText is not null)
            .Select(e => (Path: "/" + e.RoutePattern.RawText!.Trim('/'),
                Methods: e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []))
            .Where(e => e.Path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            .GroupBy(e => e.Path, StringComparer.OrdinalIgnoreCase)
            .ToFrozenDictionary(g => g.Key, g => g.SelectMany(e => e.Methods).Distinct().Order().ToArray(),
                StringComparer.OrdinalIgnoreCase);
}
