using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

public enum CodeSampleKind
{
    FirstCall,
    MeteredCall,
}

// One sample as shown: its language, what it shows, the code and the code highlighted for the page.
public sealed record CodeSample(string Language, CodeSampleKind Kind, string Title, string Code)
{
    // Highlighted once per sample (samples are cached by CodeSampleTemplates.For, so once per process).
    public Microsoft.AspNetCore.Components.MarkupString Highlighted { get; } = CodeHighlighter.Highlight(Code, Language);
}

// The one source of the code samples, on the tab and in the API reference (/docs): per language a first call
// (GET /api/v1/whoami) and a metered call (POST /api/v1/credits/consume with an Idempotency-Key, retried on
// 429/503 after Retry-After, stopping on 402), written as real files in Samples/ (embedded in the assembly) with
// the environment's values filled in. Every sample reads the secret key from the DATAKEEN_SECRET_KEY environment
// variable: a sample must never invite hard-coding it. The curl and Node samples are run against a portal by
// CodeSampleRunTests.
public static class CodeSampleTemplates
{
    public const string KeyVariable = "DATAKEEN_SECRET_KEY";

    public static readonly IReadOnlyList<string> Languages = ["curl", "C#", "Python", "Node"];

    public static readonly IReadOnlyList<CodeSampleKind> Kinds = [CodeSampleKind.FirstCall, CodeSampleKind.MeteredCall];

    private static readonly Dictionary<string, string> Templates = LoadTemplates();

    public static string Title(CodeSampleKind kind) => kind switch
    {
        CodeSampleKind.FirstCall => "First call",
        CodeSampleKind.MeteredCall => "Metered call",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    // The samples of a language and environment, built and highlighted once per portal address and base URLs (the
    // page shows 16 of them on every render). The portal address comes from the request's host, so the cache keeps a
    // few addresses only; any further one is built per call.
    public static IReadOnlyList<CodeSample> For(string language, KeyEnvironment environment, string portalBaseUri,
        EnvironmentBaseUrls baseUrls)
    {
        var key = (language, environment, portalBaseUri, baseUrls.JourneyApi, baseUrls.DocumentsApi);
        if (Built.TryGetValue(key, out var samples))
        {
            return samples;
        }

        samples = [.. Kinds.Select(kind => Sample(language, kind, environment, portalBaseUri, baseUrls))];
        if (Built.Count < MaxBuilt)
        {
            Built.TryAdd(key, samples);
        }
        return samples;
    }

    private const int MaxBuilt = 256;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<
        (string Language, KeyEnvironment Environment, string PortalBaseUri, string JourneyApi, string DocumentsApi),
        IReadOnlyList<CodeSample>> Built = new();

    public static CodeSample Sample(string language, CodeSampleKind kind, KeyEnvironment environment, string portalBaseUri,
        EnvironmentBaseUrls baseUrls)
    {
        if (!Templates.TryGetValue(TemplateName(language, kind), out var template))
        {
            throw new ArgumentOutOfRangeException(nameof(language), language, null);
        }

        var code = template
            .Replace("{{API}}", portalBaseUri.TrimEnd('/') + "/api/v1", StringComparison.Ordinal)
            .Replace("{{JOURNEY_API}}", OrUnset(baseUrls.JourneyApi), StringComparison.Ordinal)
            .Replace("{{DOCUMENTS_API}}", OrUnset(baseUrls.DocumentsApi), StringComparison.Ordinal)
            .Replace("{{KEY_VARIABLE}}", KeyVariable, StringComparison.Ordinal)
            .Replace("{{KEY_PREFIX}}", KeyFormat.PrefixFor(environment, KeyKind.Secret), StringComparison.Ordinal)
            .Replace("{{ENVIRONMENT}}", KeyLabels.Title(environment), StringComparison.Ordinal)
            .TrimEnd() + "\n";
        return new CodeSample(language, kind, Title(kind), code);
    }

    private static string OrUnset(string url) => string.IsNullOrWhiteSpace(url) ? "(not configured for this environment)" : url;

    private static string TemplateName(string language, CodeSampleKind kind) =>
        $"{(kind == CodeSampleKind.FirstCall ? "first-call" : "metered-call")}.{FileLanguage(language)}.sample";

    private static string FileLanguage(string language) => language switch
    {
        "curl" => "curl",
        "C#" => "csharp",
        "Python" => "python",
        "Node" => "node",
        _ => "",
    };

    private static Dictionary<string, string> LoadTemplates()
    {
        var assembly = typeof(CodeSampleTemplates).Assembly;
        const string prefix = "CodeSamples/";
        var templates = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            templates[name[prefix.Length..]] = reader.ReadToEnd();
        }

        return templates;
    }
}
