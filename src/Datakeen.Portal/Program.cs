using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Components;
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

if (args.Length > 0 && CommandLineVerbs.IsVerb(args[0]))
{
    return await CommandLineVerbs.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddRequiredSettings();
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

var app = builder.Build();

if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}

app.UsePortalInstanceHeader();
app.UseSecurityHeaders();
app.UseApiErrorGuard();
// What only pages need skips API requests (docs/benchmarks.md, "What an API request runs"): the Swagger UI's
// path matching and static files, status-code pages, and the default (cookie) authentication, since every API
// endpoint names its own scheme in its policy, which the authorization middleware authenticates.
app.UseWhen(
    context => !PortalPaths.IsApi(context.Request.Path),
    pages => pages
        .UseApiReference()
        .UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true)
        .UseAuthentication());
app.UseRateLimiter();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealthEndpoints();
app.MapPortalMetrics();
app.MapPortalApi();
app.MapGatewayEndpoints();
app.MapAuthEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

public partial class Program;
