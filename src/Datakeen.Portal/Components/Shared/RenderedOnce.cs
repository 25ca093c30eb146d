using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Datakeen.Portal.Components.Shared;

// Static parts of a page that are the same for every person (the theme's styles, the tips, the code samples of one
// language and environment): rendered once per key by MudBlazor's and our own components themselves, at runtime
// (HtmlRenderer), then written as that markup into every page. A static page renders each component on every GET,
// and each MudBlazor component builds its class and style strings per render (docs/benchmarks.md, "Issue 21, fourth
// stop: page CPU"). Only for markup that depends on nothing but the key: no user, no antiforgery token, no state.
public sealed class RenderedOnce<TKey>(int capacity) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, MarkupString> _rendered = new();

    public async ValueTask<MarkupString> GetAsync<TComponent>(TKey key, IServiceProvider services,
        Func<TKey, IDictionary<string, object?>> parameters) where TComponent : IComponent
    {
        if (_rendered.TryGetValue(key, out var markup))
        {
            return markup;
        }

        markup = await RenderAsync<TComponent>(services, parameters(key));
        // Two requests may render a key side by side at first: both produce the same markup. Past the capacity (keys
        // that come from a request, e.g. the portal address from the Host header) it is rendered and not kept.
        if (_rendered.Count < capacity)
        {
            _rendered.TryAdd(key, markup);
        }
        return markup;
    }

    public static async Task<MarkupString> RenderAsync<TComponent>(IServiceProvider services, IDictionary<string, object?> parameters)
        where TComponent : IComponent
    {
        await using var renderer = new HtmlRenderer(services, services.GetRequiredService<ILoggerFactory>());
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());
        return new MarkupString(html);
    }
}
