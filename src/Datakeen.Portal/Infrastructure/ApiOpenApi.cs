using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Datakeen.Portal.Infrastructure;

// What an endpoint declares for the reference: the problem codes it can answer (from ApiErrors), an example of its
// success body, and whether its answers can be idempotent replays.
public sealed record ApiErrorsMetadata(IReadOnlyList<ApiError> Errors);

public sealed record ApiExampleMetadata(int Status, object Example);

// ReplayedHeader: the response header that marks a replayed answer.
public sealed record IdempotentReplayMetadata(string ReplayedHeader);

public static class ApiOpenApi
{
    private const string ApiPrefix = "api/v1/";

    // Every operation can meet these: a database outage, or an unexpected failure (see ApiErrorGuard).
    private static readonly ApiError[] AlwaysPossible = [ApiErrors.InternalError, ApiErrors.ServiceUnavailable];

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Keys"] = "Which workspace, environment and kind of key a request is made with. Any active key, public or secret.",
        ["Credits"] = "The credit balance of the key's environment and its consumption. Secret keys only; consumption is " +
                      "idempotent on the `Idempotency-Key` header.",
        ["Service API"] = "For Datakeen's own backends: verify a customer's key and charge its environment, authenticated by a " +
                          "client-credentials access token (scope `datakeen.keys.verify`), never by a customer key.",
        ["Secret scanning"] = "Leak reports from GitHub secret scanning, signed by GitHub (not called with a Datakeen key): " +
                              "a leaked Test secret is replaced at once, a Production secret is marked exposed.",
    };

    public static RouteHandlerBuilder ProducesApiErrors(this RouteHandlerBuilder builder, params ApiError[] errors) =>
        builder.WithMetadata(new ApiErrorsMetadata(errors));

    public static RouteHandlerBuilder WithResponseExample(this RouteHandlerBuilder builder, int status, object example) =>
        builder.WithMetadata(new ApiExampleMetadata(status, example));

    public static RouteHandlerBuilder WithIdempotentReplay(this RouteHandlerBuilder builder, string replayedHeader) =>
        builder.WithMetadata(new IdempotentReplayMetadata(replayedHeader));

    public static void Configure(OpenApiOptions options)
    {
        // The document describes the public API only: not sign-in/out, health or page endpoints.
        options.ShouldInclude = description =>
            description.RelativePath?.StartsWith(ApiPrefix, StringComparison.OrdinalIgnoreCase) == true;
        options.AddOperationTransformer((operation, context, _) =>
        {
            Describe(operation, context.Description.ActionDescriptor.EndpointMetadata);
            return Task.CompletedTask;
        });
        options.AddDocumentTransformer((document, _, _) =>
        {
            foreach (var server in document.Servers ?? [])
            {
                server.Url = server.Url?.TrimEnd('/');
            }

            document.Tags ??= new HashSet<OpenApiTag>();
            foreach (var (name, description) in TagDescriptions)
            {
                if (document.Tags.FirstOrDefault(t => t.Name == name) is { } tag)
                {
                    tag.Description = description;
                }
                else
                {
                    document.Tags.Add(new OpenApiTag { Name = name, Description = description });
                }
            }

            return Task.CompletedTask;
        });
    }

    private static void Describe(OpenApiOperation operation, IList<object> metadata)
    {
        operation.Responses ??= [];
        var replay = metadata.OfType<IdempotentReplayMetadata>().FirstOrDefault();
        foreach (var example in metadata.OfType<ApiExampleMetadata>())
        {
            if (operation.Responses.TryGetValue(example.Status.ToString(System.Globalization.CultureInfo.InvariantCulture), out var response)
                && response.Content?.TryGetValue("application/json", out var media) == true)
            {
                media.Example = JsonSerializer.SerializeToNode(example.Example, JsonSerializerOptions.Web);
            }
        }

        var errors = metadata.OfType<ApiErrorsMetadata>().SelectMany(m => m.Errors).Concat(AlwaysPossible).Distinct();
        foreach (var group in errors.GroupBy(e => e.Status).OrderBy(g => g.Key))
        {
            operation.Responses[group.Key.ToString(System.Globalization.CultureInfo.InvariantCulture)] = ProblemResponse([.. group]);
        }

        foreach (var (status, response) in operation.Responses)
        {
            if (response is not OpenApiResponse concrete)
            {
                continue;
            }

            concrete.Headers ??= new Dictionary<string, IOpenApiHeader>();
            concrete.Headers[ApiRequestId.HeaderName] = Header(
                "Identifies this answer; give it to support. Problems repeat it as `requestId`.", JsonSchemaType.String);
            switch (status)
            {
                case "401":
                    concrete.Headers["WWW-Authenticate"] = Header("`Bearer`: send an API key as a bearer token.", JsonSchemaType.String);
                    break;
                case "429":
                case "503":
                    concrete.Headers["Retry-After"] = Header("Seconds to wait before retrying.", JsonSchemaType.Integer);
                    break;
            }

            // Only answers that are stored for an Idempotency-Key come back as replays.
            if (replay is not null && status is "201" or "402")
            {
                concrete.Headers[replay.ReplayedHeader] = Header(
                    "`true` when this is the stored answer of an earlier request with the same `Idempotency-Key` " +
                    "(absent on the first answer).", JsonSchemaType.String, "true");
            }
        }
    }

    private static OpenApiResponse ProblemResponse(IReadOnlyList<ApiError> errors)
    {
        var examples = new Dictionary<string, IOpenApiExample>();
        foreach (var error in errors)
        {
            examples[error.Code] = new OpenApiExample
            {
                Summary = error.Title,
                Value = JsonSerializer.SerializeToNode(ApiProblem.Body(
                    error.Status, error.Code, error.Title, error.Cause.Replace("`", "", StringComparison.Ordinal),
                    "0199d7c5a3e47c9a8f3b2d1e6a5b4c3d")),
            };
        }

        return new OpenApiResponse
        {
            Description = string.Join(" ", errors.Select(e => $"`{e.Code}`: {e.Title}.")) +
                          $" See {ApiErrors.ReferencePath} for causes and fixes.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ApiProblem.ContentType] = new() { Schema = ProblemSchema(errors), Examples = examples },
            },
        };
    }

    private static OpenApiSchema ProblemSchema(IReadOnlyList<ApiError> errors) => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem details with a stable `code`.",
        Required = new HashSet<string> { "type", "title", "status", "code", "requestId" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String, Format = "uri-reference",
                Description = $"The code's entry of the error reference, `{ApiErrors.ReferencePath}#{{code}}`.",
            },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["code"] = new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Description = "Stable machine-readable reason: branch on this.",
                Enum = [.. errors.Select(e => (JsonNode)JsonValue.Create(e.Code))],
            },
            ["requestId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "Same as the `Request-Id` header." },
        },
    };

    private static OpenApiHeader Header(string description, JsonSchemaType type, string? value = null) => new()
    {
        Description = description,
        Schema = value is null
            ? new OpenApiSchema { Type = type }
            : new OpenApiSchema { Type = type, Enum = [JsonValue.Create(value)] },
    };
}
