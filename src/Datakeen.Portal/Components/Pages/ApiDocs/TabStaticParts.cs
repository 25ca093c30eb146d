using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Components.Shared;
using Microsoft.AspNetCore.Components;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// The tab's parts that are the same for everyone, as their components render them, once (RenderedOnce; one per host,
// since the samples show this host's configured base URLs): the docs link, the tips, and the code samples per chosen
// language and environment and portal address (from the Host header, hence the bound).
public sealed class TabStaticParts
{
    private readonly RenderedOnce<Type> _fixed = new(capacity: 4);
    private readonly RenderedOnce<(int Language, KeyEnvironment Environment, string PortalAddress)> _samples = new(capacity: 256);

    public ValueTask<MarkupString> DocsLinkAsync(IServiceProvider services) =>
        _fixed.GetAsync<DocsLink>(typeof(DocsLink), services, _ => new Dictionary<string, object?>());

    public ValueTask<MarkupString> TipsAsync(IServiceProvider services) =>
        _fixed.GetAsync<Tips>(typeof(Tips), services, _ => new Dictionary<string, object?>());

    public ValueTask<MarkupString> CodeSamplesAsync(int language, KeyEnvironment environment, string portalAddress, IServiceProvider services) =>
        _samples.GetAsync<CodeSamples>((language, environment, portalAddress), services, key => new Dictionary<string, object?>
        {
            [nameof(CodeSamples.Language)] = key.Language,
            [nameof(CodeSamples.Environment)] = key.Environment,
            [nameof(CodeSamples.PortalAddress)] = key.PortalAddress,
        });
}
