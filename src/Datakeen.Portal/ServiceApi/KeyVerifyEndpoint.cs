using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.ApiKeys.Activity;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Infrastructure.Scaling;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Datakeen.Portal.ServiceApi;

public sealed record VerifyRequest(string Key, int? Cost, string? IdempotencyKey);

public sealed record VerifyWorkspace(Guid Id, string Slug, string Name);

public sealed record VerifyCredits(long Remaining);

public sealed record VerifyValidResponse(bool Valid, VerifyWorkspace Workspace, string Environment, string KeyType, string KeyHint,
    VerifyCredits Credits);

public sealed record VerifyInvalidResponse(bool Valid, string Code);

// POST /api/v1/keys/verify: Datakeen's backends ask whether a customer's key is good, and optionally charge
// the call to the key's environment. The verdict is data (200 either way); 401/403 are only about the
// calling service's own token. The debit is CreditConsumption, the same as POST /api/v1/credits/consume.
public static class KeyVerifyEndpoint
{
    public const string Path = "/api/v1/keys/verify";

    public static IEndpointRouteBuilder MapKeyVerifyEndpoint(this IEndpointRouteBuilder api)
    {
        api.MapPost("/keys/verify", VerifyAsync)
            .RequireAuthorization(ServiceTokenAuthentication.VerifyPolicy)
            .WithName("VerifyKey")
            .WithSummary("Verify a customer key and optionally charge credits (Datakeen services only)")
            .WithDescription(
                "For Datakeen's own backends, authenticated by a client-credentials access token with the scope " +
                "'datakeen.keys.verify' (never by a customer key). Body { key, cost (0 to 100, default 0), idempotencyKey " +
                "(required when cost > 0) }. The verdict is always 200: { valid: true, workspace, environment, keyType, " +
                "keyHint, credits: { remaining } } or { valid: false, code: invalid_api_key | insufficient_credits | " +
                "public_key_not_allowed }. A cost debits the key's environment once per idempotencyKey, as credits/consume does.")
            .WithTags("Service API")
            // Documented by hand, as for credits/consume: .Accepts<T>() would let routing answer a bare 415.
            .AddOpenApiOperationTransformer(async (operation, context, ct) => operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = await context.GetOrCreateSchemaAsync(typeof(VerifyRequest), null, ct) },
                },
            })
            .Produces<VerifyValidResponse>()
            .ProducesApiErrors(
                ApiErrors.InvalidRequest, ApiErrors.MissingIdempotencyKey, ApiErrors.InvalidServiceToken, ApiErrors.InsufficientScope,
                ApiErrors.IdempotencyConflict, ApiErrors.PayloadTooLarge, ApiErrors.UnsupportedMediaType, ApiErrors.IdempotencyKeyReused,
                ApiErrors.RateLimited);
        return api;
    }

    private static async Task<IResult> VerifyAsync(HttpContext context, ApiKeyVerifier verifier, ApiKeyUsageTracker usage,
        KeyActivityRecorder activity, CreditBalanceCache balances, CreditConsumption consumption, IRateWindows windows,
        IOptionsMonitor<ServiceApiOptions> options, CancellationToken ct)
    {
        var caller = context.GetServiceCaller();
        if (await ServiceClients.OverLimitAsync(context, caller, windows, options) is { } tooMany)
        {
            return tooMany;
        }

        var request = await VerifyRequestReader.ReadAsync(context.Request, ct);
        if (request.Problem is not null)
        {
            return request.Problem.ToResult();
        }

        var key = await verifier.VerifyAsync(request.Key, ct);
        if (key is null)
        {
            return Verdict(new VerifyInvalidResponse(false, ApiKeyProblems.InvalidApiKey));
        }

        usage.Record(key.KeyId);
        RecordActivity(context, activity, key, caller);
        if (request.Cost == 0)
        {
            return Verdict(Valid(key, await balances.GetAsync(key.WorkspaceId, key.Environment, ct)));
        }

        // Charging is for secret keys only, as for credits/consume.
        if (key.Kind != KeyKind.Secret)
        {
            return Verdict(new VerifyInvalidResponse(false, ApiKeyProblems.PublicKeyNotAllowed));
        }

        var result = await consumption.ConsumeAsync(key, Path, request.Cost, reference: null, request.IdempotencyKey!,
            ApiRequestId.Of(context));
        switch (result.Outcome)
        {
            case ConsumeOutcome.KeyReused:
                return CreditProblems.Reused().ToResult();
            case ConsumeOutcome.KeyInFlight:
                return CreditProblems.Conflict().ToResult();
            case ConsumeOutcome.Replayed:
                context.Response.Headers[CreditEndpoints.ReplayedHeader] = "true";
                break;
        }

        // Rendered from the stored outcome, for the first call and every replay alike.
        var answer = result.Answer!;
        return answer.Consumed
            ? Verdict(Valid(key, answer.Balance!.Value))
            : Verdict(new VerifyInvalidResponse(false, CreditProblems.InsufficientCredits));
    }

    // The key's activity shows the verification as the service that asked: "verify by {client}" from its address.
    private static void RecordActivity(HttpContext context, KeyActivityRecorder activity, VerifiedKey key, ServiceCaller caller)
    {
        var userAgent = context.Request.Headers.UserAgent;
        activity.Record(key, new AdmissionRequest(context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            KeyActivityRecorder.VerifyRouteKind, caller.Client, Origin: null,
            userAgent.Count == 0 ? null : userAgent.ToString(), ApiRequestId.Of(context)), ActivityOutcomes.Ok);
    }

    private static VerifyValidResponse Valid(VerifiedKey key, long remaining) => new(
        true,
        new VerifyWorkspace(key.WorkspaceId, key.WorkspaceSlug, key.WorkspaceName),
        ApiKeyClaims.EnvironmentValue(key.Environment),
        ApiKeyClaims.KeyTypeValue(key.Kind),
        key.Hint,
        new VerifyCredits(remaining));

    private static IResult Verdict(VerifyValidResponse verdict) => TypedResults.Json(verdict, ServiceApiJsonContext.Default.VerifyValidResponse);

    private static IResult Verdict(VerifyInvalidResponse verdict) =>
        TypedResults.Json(verdict, ServiceApiJsonContext.Default.VerifyInvalidResponse);
}
