using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Components.Pages.ApiDocs;
using Datakeen.Portal.Credits;
using Datakeen.Portal.Data;
using Datakeen.Portal.Gateway;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Infrastructure.Scaling;
using Datakeen.Portal.Infrastructure.Telemetry;
using Datakeen.Portal.Notifications;
using Datakeen.Portal.SecretScanning;
using Datakeen.Portal.ServiceApi;
using Datakeen.Portal.Usage;
using Datakeen.Portal.Workspaces;
using MudBlazor.Services;

namespace Datakeen.Portal.Hosting;

// The portal's services, one AddXxx per feature: the web host (Program.cs) and the operator verbs
// (Operator/OperatorHost.cs) compose the same container, so a verb runs exactly the code the tab runs.
public static class PortalComposition
{
    public static WebApplicationBuilder AddPortal(this WebApplicationBuilder builder)
    {
        builder.Services.AddRequiredSettings();
        builder.Services.AddTrustedProxies(builder.Configuration);
        builder.AddPortalTelemetry();
        builder.Services.AddScaling(builder.Configuration);
        builder.Services.AddPortalHealthChecks(builder.Configuration);
        builder.Services.AddPortalData(builder.Configuration);
        builder.Services.AddEncryptedKeyRing(builder.Configuration, builder.Environment);
        builder.Services.AddChangeFeed();
        builder.Services.AddAuditing();
        builder.Services.AddPortalAuth(builder.Configuration, builder.Environment);
        builder.Services.AddWorkspaces();
        builder.Services.AddApiKeys(builder.Configuration);
        builder.Services.AddCredits();
        builder.Services.AddServiceApi(builder.Configuration, builder.Environment);
        builder.Services.AddGateway(builder.Configuration);
        builder.Services.AddKeyUsage();
        builder.Services.AddNotifications(builder.Configuration);
        builder.Services.AddSecretScanning(builder.Configuration);
        builder.Services.AddPortalApi();
        builder.Services.AddApiReference();
        builder.Services.AddMudServices();
        builder.Services.AddApiDocsUi(builder.Configuration);
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCircuitHandoff(builder.Configuration);
        return builder;
    }
}
