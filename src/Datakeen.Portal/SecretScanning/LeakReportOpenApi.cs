using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Datakeen.Portal.SecretScanning;

// Documents how leak reports are authenticated in /openapi/v1.json: GitHub's signature headers, not a key.
public static class LeakReportOpenApi
{
    public const string SecuritySchemeName = "GitHubSignature";

    public static void Configure(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = LeakReportEndpoints.SignatureHeader,
                Description = $"GitHub secret scanning's ECDSA P-256/SHA-256 signature of the exact body (base64 DER), by the key " +
                              $"named in `{LeakReportEndpoints.KeyIdentifierHeader}` from GitHub's public-key list.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (operation.OperationId == LeakReportEndpoints.OperationName)
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
