using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Datakeen.Portal.Infrastructure;

// The browsable API reference linked from the tab's "Docs" link (/docs, Components/Pages/Docs): a page of the
// portal over the OpenAPI document the portal serves (/openapi/v1.json) and the error catalogue (ApiErrors).
// docs/api.md says why a page of our own rather than a bundled reference UI.
public static class ApiReference
{
    public const string Path = "/docs";
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/" + DocumentName + ".json";

    public static IServiceCollection AddApiReference(this IServiceCollection services)
    {
        services.AddSingleton<ApiReferenceIndex>();
        return services.Configure<OpenApiOptions>(DocumentName, options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Datakeen API";
            document.Info.Version = "v1";
            document.Info.Description =
                "Authenticate with `Authorization: Bearer <key>`. Test keys (`dk_test_…`) use the sandbox and its free " +
                "test credits; live keys (`dk_live_…`) use Production. Secret keys are for server-to-server calls only. " +
                "Errors are RFC 9457 problem details with a stable `code` member, explained per code at " + ApiErrors.ReferencePath + ".";
            document.Info.License = new OpenApiLicense { Name = "Datakeen terms of service", Url = new Uri("https://www.datakeen.co") };
            return Task.CompletedTask;
        }));
    }
}

public enum ApiReferenceKind
{
    Operation,
    Schema,
    Error,
}

// One line of an entry: a parameter, a property, a response, a cause or a fix.
public sealed record ApiReferenceLine(string Label, string Text);

// One searchable entry of the reference. Anchor is the id of its element on /docs; Href where it is described
// in full (the error reference for a code).
public sealed record ApiReferenceEntry(
    ApiReferenceKind Kind, string Anchor, string Title, string Summary, IReadOnlyList<ApiReferenceLine> Lines, string Href)
{
    private readonly string _text = string.Join('\n', [Title, Summary, .. Lines.Select(l => l.Label + " " + l.Text)]);

    // Every word of the query occurs somewhere in the entry (case-insensitive; `_` and `-` are word characters).
    public bool Matches(IReadOnlyList<string> terms) =>
        terms.All(term => _text.Contains(term, StringComparison.OrdinalIgnoreCase));
}

public sealed record ApiReferenceContents(string Description, IReadOnlyList<ApiReferenceEntry> Entries)
{
    public IReadOnlyList<ApiReferenceEntry> Search(string? query)
    {
        var terms = (query ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return terms.Length == 0 ? Entries : [.. Entries.Where(e => e.Matches(terms))];
    }
}

// The reference's entries, built once from the generated OpenAPI document (the same one /openapi/v1.json
// serves) and the error catalogue: operations, schemas and error codes.
public sealed class ApiReferenceIndex([FromKeyedServices(ApiReference.DocumentName)] IOpenApiDocumentProvider documents)
{
    private readonly Lazy<Task<ApiReferenceContents>> _contents = new(() => BuildAsync(documents));

    public Task<ApiReferenceContents> GetAsync() => _contents.Value;

    private static async Task<ApiReferenceContents> BuildAsync(IOpenApiDocumentProvider documents)
    {
        var document = await documents.GetOpenApiDocumentAsync();
        var entries = new List<ApiReferenceEntry>();
        foreach (var (path, item) in document.Paths.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var (method, operation) in item.Operations ?? [])
            {
                entries.Add(Operation(path, method.Method, operation));
            }
        }

        foreach (var (name, schema) in (document.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
                     .OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            entries.Add(Schema(name, schema));
        }

        entries.AddRange(ApiErrors.All.Select(error => new ApiReferenceEntry(
            ApiReferenceKind.Error, "error-" + error.Code, error.Code, $"{error.Status} {error.Title}",
            [new("Cause", error.Cause), new("Fix", error.Fix)],
            $"{ApiErrors.ReferencePath}#{error.Code}")));

        return new ApiReferenceContents(document.Info.Description ?? "", entries);
    }

    private static ApiReferenceEntry Operation(string path, string method, OpenApiOperation operation)
    {
        var title = $"{method.ToUpperInvariant()} {path}";
        var anchor = "op-" + Slug(operation.OperationId ?? title);
        var lines = new List<ApiReferenceLine>();
        foreach (var parameter in operation.Parameters ?? [])
        {
            lines.Add(new($"{parameter.In?.ToString().ToLowerInvariant()} {parameter.Name}",
                (parameter.Required ? "required. " : "") + (parameter.Description ?? "")));
        }

        foreach (var (mediaType, media) in operation.RequestBody?.Content ?? new Dictionary<string, OpenApiMediaType>())
        {
            lines.Add(new("body", $"{mediaType} {SchemaName(media.Schema)}".TrimEnd()));
        }

        foreach (var (status, response) in operation.Responses ?? [])
        {
            lines.Add(new(status, response.Description ?? ""));
        }

        var summary = string.Join(" ", new[] { operation.Summary, operation.Description }.Where(s => !string.IsNullOrWhiteSpace(s)));
        var tags = string.Join(", ", (operation.Tags ?? new HashSet<OpenApiTagReference>()).Select(t => t.Name));
        if (tags.Length > 0)
        {
            lines.Insert(0, new("tags", tags));
        }

        return new ApiReferenceEntry(ApiReferenceKind.Operation, anchor, title, summary, lines, $"{ApiReference.Path}#{anchor}");
    }

    private static ApiReferenceEntry Schema(string name, IOpenApiSchema schema)
    {
        var required = schema.Required ?? new HashSet<string>();
        var lines = (schema.Properties ?? new Dictionary<string, IOpenApiSchema>())
            .Select(p => new ApiReferenceLine(p.Key,
                $"{SchemaName(p.Value)}{(required.Contains(p.Key) ? ", required" : "")}. {p.Value.Description}".TrimEnd(' ', '.')))
            .ToList();
        var anchor = "schema-" + Slug(name);
        return new ApiReferenceEntry(ApiReferenceKind.Schema, anchor, name, schema.Description ?? "", lines, $"{ApiReference.Path}#{anchor}");
    }

    private static string SchemaName(IOpenApiSchema? schema) => schema switch
    {
        null => "",
        OpenApiSchemaReference reference => reference.Reference.Id ?? "",
        _ when schema.Type is { } type => type.ToString().ToLowerInvariant().Replace(", null", "", StringComparison.Ordinal)
                                          + (schema.Format is { } format ? $" ({format})" : ""),
        _ => "",
    };

    private static string Slug(string text) =>
        new([.. text.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);
}
