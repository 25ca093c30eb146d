using System.ComponentModel.DataAnnotations;

namespace Datakeen.Portal.Infrastructure.Telemetry;

// Configuration section "Telemetry". The OTLP exporter is switched on by the standard
// OTEL_EXPORTER_OTLP_ENDPOINT variable instead (with the other OTEL_* variables it reads itself).
public sealed class TelemetryOptions
{
    public const string SectionName = "Telemetry";

    // Records traces (spans of requests, SQL statements and the portal's own operations). Default: on when
    // OTEL_EXPORTER_OTLP_ENDPOINT is set, off otherwise (nothing would take them).
    public bool? Tracing { get; set; }

    // Serves Prometheus' text format at /metrics.
    public bool PrometheusEnabled { get; set; }

    // When set, /metrics answers only on this port (a separate Kestrel endpoint that the public proxy
    // does not reach); otherwise on every endpoint, and the proxy must not pass /metrics.
    [Range(1, 65535)]
    public int? PrometheusPort { get; set; }
}
