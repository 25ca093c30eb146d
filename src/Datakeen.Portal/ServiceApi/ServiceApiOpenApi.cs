using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Datakeen.Portal.ServiceApi;

// Documents the service-token scheme in /openapi/v1.json and requires it on the operations that use it.
public static class ServiceApiOpenApi
{
    public const string SecuritySchemeName = "ServiceToken";

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
                BearerFormat = "JWT",
                Description = "An access token of the OpenID Connect provider for a Datakeen service, obtained with the " +
                              "client-credentials flow and the scope `datakeen.keys.verify`. Customer API keys are refused.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>()
                .Any(a => a.Policy == ServiceTokenAuthentication.VerifyPolicy))
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
