using Datakeen.Portal.Hosting;
using Datakeen.Portal.Auth;
using Datakeen.Portal.Components;
using Datakeen.Portal.Gateway;
using Datakeen.Portal.Infrastructure;
using Datakeen.Portal.Infrastructure.Scaling;
using Datakeen.Portal.Infrastructure.Telemetry;
using Datakeen.Portal.Operator;

if (args.Length > 0 && OperatorVerbs.IsVerb(args[0]))
{
    return await OperatorVerbs.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddPortal();

var app = builder.Build();

app.UseTrustedProxies();
// Prometheus' /metrics (opt-in) first: a scrape passes nothing else of the pipeline.
app.MapPortalMetrics();
if (!app.Environment.IsDevelopment())
{
    app.UseExceptionHandler("/error", createScopeForErrors: true);
    app.UseHsts();
}

app.UsePortalInstanceHeader();
app.UseCircuitHandoff();
app.UseSecurityHeaders();
app.UseOriginCheck();
app.UseApiErrorGuard();
// What only pages need skips API and gateway requests (docs/benchmarks.md, "What an API request runs"): status-code
// pages and the default (cookie) authentication, since every API endpoint names its own scheme in its policy, which
// the authorization middleware authenticates, and the gateway hook reads its own headers.
// WebApplication adds UseAuthentication() in front of the whole pipeline unless the app's own builder says it has
// one, and the branch's UseAuthentication() says so only to the branch (its properties are a copy): without this
// mark every request, the API's included, ran the cookie handler (and pages ran it twice).
((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
app.UseWhen(
    context => !PortalPaths.IsMachineEndpoint(context.Request.Path),
    pages => pages
        .UseStatusCodePagesWithReExecute("/status/{0}", createScopeForStatusCodePages: true)
        .UseAuthentication());
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealthEndpoints();
app.MapPortalApi();
app.MapGatewayEndpoints();
app.MapAuthEndpoints();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

await app.RunAsync();
return 0;

public partial class Program;
