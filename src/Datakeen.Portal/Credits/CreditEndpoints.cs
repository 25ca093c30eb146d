using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Datakeen.Portal.Credits;

public sealed record CreditsResponse(string Environment, long Balance, long Granted, long Consumed);

public sealed record ConsumeRequest(
    [property: Range(1, CreditLedger.MaxConsumeAmount), Description("Credits to consume; 1 when absent.")] int? Amount = null,
    [property: MaxLength(ConsumeRequestReader.MaxReferenceLength), Description("Your reference, kept in the ledger.")] string? Reference = null);

public sealed record ConsumeResponse(Guid Id, string Environment, int Amount, long Balance);

// GET /api/v1/credits and POST /api/v1/credits/consume. The key's environment decides the account.
public static class CreditEndpoints
{
    public const string ReplayedHeader = "Idempotent-Replayed";
    private const string ConsumePath = PortalPaths.ApiV1 + "/credits/consume";

    public static IEndpointRouteBuilder MapCreditEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/credits", GetCreditsAsync)
            .RequireAuthorization(ApiKeyPolicies.SecretKey)
            .WithName("GetCredits")
            .WithSummary("Credit balance of the key's environment")
            .WithDescription("The balance, the credits granted and the credits consumed so far, for the environment of the secret key.")
            .WithTags("Credits")
            .Produces<CreditsResponse>()
            .WithResponseExample(StatusCodes.Status200OK, new CreditsResponse("test", Balance: 17, Granted: 20, Consumed: 3))
            .ProducesApiErrors(ApiErrors.InvalidApiKey, ApiErrors.PublicKeyNotAllowed, ApiErrors.Forbidden, ApiErrors.RateLimited);

        api.MapPost("/credits/consume", ConsumeAsync)
            .RequireAuthorization(ApiKeyPolicies.SecretKey)
            .WithName("ConsumeCredits")
            .WithSummary("Consume credits (idempotent)")
            .WithDescription(
                "Debits 'amount' credits (1 to 100, default 1) from the key's environment. Requires an 'Idempotency-Key' header " +
                "(1 to 255 printable ASCII characters): a retry with the same key and request replays the first answer with " +
                "'Idempotent-Replayed: true'; the same key with a different request is refused (422). Nothing is debited on 402.")
            .WithTags("Credits")
            // Documented by hand: .Accepts<T>() would make routing answer a non-JSON body with a bare 415,
            // and every refusal here must be a problem with a code.
            .AddOpenApiOperationTransformer(DescribeConsumeRequestAsync)
            .Produces<ConsumeResponse>(StatusCodes.Status201Created)
            .WithResponseExample(StatusCodes.Status201Created, new ConsumeResponse(
                Guid.Parse("0199d7c6-1b2c-7d3e-8f40-5a6b7c8d9e0f"), "test", Amount: 1, Balance: 16))
            .WithIdempotentReplay(ReplayedHeader)
            .ProducesApiErrors(
                ApiErrors.MissingIdempotencyKey, ApiErrors.InvalidRequest, ApiErrors.InvalidApiKey, ApiErrors.InsufficientCredits,
                ApiErrors.PublicKeyNotAllowed, ApiErrors.Forbidden, ApiErrors.IdempotencyConflict, ApiErrors.PayloadTooLarge,
                ApiErrors.UnsupportedMediaType, ApiErrors.IdempotencyKeyReused, ApiErrors.RateLimited);
        return api;
    }

    private static async Task DescribeConsumeRequestAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context,
        CancellationToken ct)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = ConsumeRequestReader.IdempotencyKeyHeader,
            In = ParameterLocation.Header,
            Required = true,
            Description = "1 to 255 printable ASCII characters, unique per request (e.g. a UUID). Kept at least 24 hours.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = ConsumeRequestReader.MaxKeyLength },
        });
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = false,
            Description = "Optional: without a body, one credit is consumed.",
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(ConsumeRequest), null, ct) },
            },
        };
    }

    private static async Task<IResult> GetCreditsAsync(HttpContext context, ICreditQueries queries, CancellationToken ct)
    {
        var key = context.GetVerifiedKey();
        var summary = await queries.GetSummaryAsync(key, ct);
        return TypedResults.Ok(new CreditsResponse(
            ApiKeyClaims.EnvironmentValue(key.Environment), summary.Balance, summary.Granted, summary.Consumed));
    }

    private static async Task<IResult> ConsumeAsync(HttpContext context, CreditConsumption consumption, CancellationToken ct)
    {
        var key = context.GetVerifiedKey();
        if (!ConsumeRequestReader.TryReadIdempotencyKey(context.Request, out var idempotencyKey, out var headerProblem))
        {
            return headerProblem!.ToResult();
        }

        var body = await ConsumeRequestReader.ReadBodyAsync(context.Request, ct);
        if (body.Problem is not null)
        {
            return body.Problem.ToResult();
        }

        // Invalid requests above are answered without touching the key (as Stripe does): only a request
        // that starts executing has an answer worth replaying.
        var result = await consumption.ConsumeAsync(key, ConsumePath, body.Amount, body.Reference, idempotencyKey,
            ApiRequestId.Of(context));
        switch (result.Outcome)
        {
            case ConsumeOutcome.KeyReused:
                return CreditProblems.Reused().ToResult();
            case ConsumeOutcome.KeyInFlight:
                return CreditProblems.Conflict().ToResult();
            case ConsumeOutcome.Replayed:
                context.Response.Headers[ReplayedHeader] = "true";
                break;
        }

        return Render(result.Answer!, key.Environment, body.Amount);
    }

    // The one rendering of a consume answer, for the first request and every replay alike: the same stored
    // outcome (and the same request, which the key's hash guarantees) gives the same bytes.
    private static IResult Render(ConsumeAnswer answer, KeyEnvironment keyEnvironment, int amount)
    {
        var environment = ApiKeyClaims.EnvironmentValue(keyEnvironment);
        if (answer.Consumed)
        {
            return TypedResults.Json(new ConsumeResponse(answer.EntryId!.Value, environment, amount, answer.Balance!.Value),
                JsonSerializerOptions.Web, statusCode: answer.Status);
        }

        var refused = CreditProblems.Insufficient(amount, environment);
        return TypedResults.Content(
            ApiProblem.Json(refused.Status, refused.Code, refused.Title, refused.Detail, answer.RequestId ?? ""),
            ApiProblem.ContentType, Encoding.UTF8, refused.Status);
    }
}
