namespace Datakeen.Portal.Infrastructure.Scaling;

// Which instance of a scaled-out portal this process is (`Portal:InstanceName`, set by
// `./run.sh --replicas N`); outside Production every response names it in X-Portal-Instance, so that
// operators and the cluster tests can see where nginx sent a request (docs/deploy.md).
public sealed class PortalInstance(IConfiguration configuration)
{
    public const string HeaderName = "X-Portal-Instance";

    public string Name { get; } = configuration["Portal:InstanceName"] is { Length: > 0 } name
        ? name
        : $"{Environment.MachineName}-{Environment.ProcessId}";
}

public static class PortalInstanceApplicationBuilderExtensions
{
    public static IApplicationBuilder UsePortalInstanceHeader(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<IHostEnvironment>().IsProduction())
        {
            return app;
        }

        var name = app.ApplicationServices.GetRequiredService<PortalInstance>().Name;
        return app.Use((context, next) =>
        {
            context.Response.Headers[PortalInstance.HeaderName] = name;
            return next(context);
        });
    }
}
