using Datakeen.Portal.Infrastructure;

namespace Datakeen.Portal.ApiKeys;

public sealed record WhoAmIResponse(WhoAmIWorkspace Workspace, string Environment, string KeyType, string KeyHint);

public sealed record WhoAmIWorkspace(Guid Id, string Name, string Slug);

public static class ApiKeyEndpoints
{
    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/whoami", WhoAmI)
            .RequireAuthorization(ApiKeyPolicies.AnyKey)
            .WithName("WhoAmI")
            .WithSummary("Identifies the API key of the request")
            .WithDescription("Answers which workspace, environment and kind of key the bearer key belongs to. Any active key (public or secret).")
            .WithTags("Keys")
            .Produces<WhoAmIResponse>()
            .WithResponseExample(StatusCodes.Status200OK, new WhoAmIResponse(
                new WhoAmIWorkspace(Guid.Parse("0199d7c5-0000-7000-8000-00000000ac3e"), "Acme", "acme"), "test", "secret",
                "dk_test_sk_…AbCd"))
            .ProducesApiErrors(ApiErrors.InvalidApiKey, ApiErrors.OriginNotAllowed, ApiErrors.RateLimited);

        return api;
    }

    private static IResult WhoAmI(HttpContext context)
    {
        var key = context.GetVerifiedKey();
        return TypedResults.Json(new WhoAmIResponse(
            new WhoAmIWorkspace(key.WorkspaceId, key.WorkspaceName, key.WorkspaceSlug),
            ApiKeyClaims.EnvironmentValue(key.Environment),
            ApiKeyClaims.KeyTypeValue(key.Kind),
            key.Hint), ApiKeyJsonContext.Default.WhoAmIResponse);
    }
}
