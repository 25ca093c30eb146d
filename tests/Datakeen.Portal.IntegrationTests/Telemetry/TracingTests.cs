using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Trace;

namespace Datakeen.Portal.IntegrationTests.Telemetry;

// The portal's own tracing pipeline, with the test host adding an in-memory exporter next to it.
public sealed class TracingTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task A_trace_of_one_consume_shows_the_request_the_verification_and_the_sql_without_the_key()
    {
        var exported = new List<Activity>();
        var portal = new TracedPortal(database.ConnectionString, exported);
        var workspace = await TestWorkspaces.CreateAsync(portal);
        var traceId = ActivityTraceId.CreateRandom();
        using (var client = portal.CreateClient())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume")
            {
                Content = new StringContent("""{"amount":1,"reference":"trace"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", workspace.TestSecretKey);
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            // Activity listeners are process-wide, so this exporter also sees other test classes' requests: this
            // request names its own trace, and the assertions below follow that trace only.
            request.Headers.Add("traceparent", $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }
        // Stopping the host ends and flushes every span.
        await portal.DisposeAsync();

        var server = Assert.Single(exported, a => a.Kind == ActivityKind.Server && a.TraceId == traceId);
        Assert.Contains("/api/v1/credits/consume", server.DisplayName, StringComparison.Ordinal);
        var spans = exported.Where(a => a.TraceId == server.TraceId).ToList();
        var verify = Assert.Single(spans, a => a.OperationName == "api_key.verify");
        Assert.Equal(server.SpanId, verify.ParentSpanId);
        Assert.Equal("valid", verify.GetTagItem("datakeen.outcome"));
        // A key never seen by this instance: the verification went to the database.
        Assert.Contains(spans, a => a.ParentSpanId == verify.SpanId && a.Source.Name == "Npgsql");
        var consume = Assert.Single(spans, a => a.OperationName == "credits.consume");
        Assert.Equal(server.TraceId, consume.TraceId);
        // Debits are group-committed: the batch that carried this lone debit is in its trace, and the debit is the
        // batch's statement among its SQL spans.
        var batch = Assert.Single(spans, a => a.OperationName == "credits.debit_batch");
        Assert.Equal(consume.SpanId, batch.ParentSpanId);
        var sql = spans.Where(a => a.ParentSpanId == batch.SpanId && a.Source.Name == "Npgsql").ToList();
        Assert.Contains(sql, a => Statement(a).Contains("credits_debit_batch", StringComparison.Ordinal));

        // Secrets never reach telemetry: no tag of any span carries a key.
        Assert.All(exported.SelectMany(a => a.TagObjects), tag =>
            Assert.DoesNotMatch(KeyPatterns.AnyKey, tag.Value?.ToString() ?? ""));
    }

    private static string Statement(Activity activity) =>
        (activity.GetTagItem("db.query.text") ?? activity.GetTagItem("db.statement"))?.ToString() ?? activity.DisplayName;

    private sealed class TracedPortal(string connectionString, List<Activity> exported) : PortalFactory(connectionString)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            // No OTLP endpoint here: tracing is switched on for the in-memory exporter.
            builder.UseSetting("Telemetry:Tracing", "true");
            builder.ConfigureServices(services =>
                services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(exported)));
        }
    }
}
