using System.Reflection;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Datakeen.Portal.Infrastructure.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    // Traces and metrics of ASP.NET Core, HttpClient, Npgsql and the portal itself (PortalTelemetry);
    // JSON console logs carry the trace and span ids and the request id (hosting's log scope).
    public static WebApplicationBuilder AddPortalTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(TelemetryOptions.SectionName).Get<TelemetryOptions>() ?? new();
        builder.Services.AddValidatedOptions<TelemetryOptions>(builder.Configuration, TelemetryOptions.SectionName);

        builder.Logging.Configure(logging => logging.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var instance = builder.Configuration["Portal:InstanceName"];
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(PortalTelemetry.Name, serviceVersion: Version, serviceInstanceId: instance)
                .AddAttributes([new("deployment.environment.name", builder.Environment.EnvironmentName.ToLowerInvariant())]));
        // Spans are recorded only when something takes them (an OTLP endpoint, or Telemetry:Tracing=true for
        // another exporter): recording every request's spans for nobody cost the API about a fifth of its
        // throughput on the whoami path (docs/benchmarks.md). The log scope still carries the request id.
        if (options.Tracing ?? otlp)
        {
            telemetry.WithTracing(tracing =>
            {
                tracing.AddSource(PortalTelemetry.Name)
                    .AddAspNetCoreInstrumentation(aspNet => aspNet.Filter = context => !IsProbe(context.Request.Path))
                    .AddHttpClientInstrumentation()
                    .AddNpgsql();
            });
        }

        // Metrics likewise only when something reads them (Prometheus' /metrics or OTLP): without a reader the
        // provider still enabled every instrument, and each API request recorded its histograms for nobody
        // (docs/benchmarks.md, issue 22). The portal's own meters stay readable in-process (IMeterFactory).
        if (!options.PrometheusEnabled && !otlp)
        {
            return builder;
        }

        telemetry
            .WithMetrics(metrics =>
            {
                // The portal's own, then .NET 10's built-in Blazor (circuits, navigation, events) and runtime (GC,
                // thread pool, exceptions) meters.
                metrics.AddMeter(PortalTelemetry.Name, "Microsoft.AspNetCore.Components", "Microsoft.AspNetCore.Components.Lifecycle",
                        "Microsoft.AspNetCore.Components.Server.Circuits", "System.Runtime")
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddNpgsqlInstrumentation();
                if (options.PrometheusEnabled)
                {
                    metrics.AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0);
                }
            });
        if (otlp)
        {
            // Traces, metrics and logs, configured by the standard OTEL_EXPORTER_OTLP_* variables.
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    // Prometheus' /metrics, when enabled. With Telemetry:PrometheusPort (required outside Development) only on
    // that listener, told by the connection's local port: the Host header is the client's to choose.
    public static WebApplication MapPortalMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<TelemetryOptions>>().Value;
        if (!options.PrometheusEnabled)
        {
            return app;
        }

        var port = options.PrometheusPort;
        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            context.Request.Path == "/metrics" && (port is null || context.Connection.LocalPort == port));
        return app;
    }

    private static readonly string Version =
        typeof(PortalTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/healthz") || path.StartsWithSegments("/readyz") || path.StartsWithSegments("/metrics");
}
