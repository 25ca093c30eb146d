using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Datakeen.Portal.ApiKeys;

// Documents the key scheme in /openapi/v1.json: a bearer security scheme, required by every operation
// whose endpoint uses one of the API-key policies, with the problem responses it can produce.
public static class ApiKeyOpenApi
{
    public const string SecuritySchemeName = "ApiKey";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "dk_{live|test}_{pk|sk}_…",
                Description = "A Datakeen API key: `Authorization: Bearer dk_test_sk_…`. Public keys (`pk`) are " +
                              "accepted only where stated; secret keys (`sk`) everywhere.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var policies = context.Description.ActionDescriptor.EndpointMetadata
                .OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
            if (policies.Contains(ApiKeyPolicies.AnyKey) || policies.Contains(ApiKeyPolicies.SecretKey))
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = [],
                });
            }

            return Task.CompletedTask;
        });
    }
}
