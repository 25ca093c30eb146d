using System.Net;
using System.Text.RegularExpressions;
using Datakeen.Portal.Testing;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Datakeen.Portal.IntegrationTests.Foundation;

// Errors people can quote: the error page names the request id that the request's log entries carry, and offers
// a way back; 401/403/404 answers are pages of the portal too.
public sealed class ErrorPageTests(PortalDatabaseFixture database) : IClassFixture<PortalDatabaseFixture>
{
    [Fact]
    public async Task An_unexpected_exception_shows_the_error_page_with_the_request_id_of_its_log_entries_and_a_way_back()
    {
        var logs = new CapturedLogs();
        await using var portal = new PortalFactory(database.ConnectionString)
        {
            LogCapture = logs,
            // A legitimate failure of the test host's own making: the OpenAPI document cannot be produced.
            TestServices = services => services.AddKeyedSingleton<IOpenApiDocumentProvider>(Datakeen.Portal.Infrastructure.ApiReference.DocumentName, new FailingDocuments()),
        };
        using var client = portal.CreateClient();

        using var response = await client.GetAsync("/docs");
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("Something went wrong", page);
        Assert.Contains("href=\"/\"", page);
        var requestId = Regex.Match(page, "data-testid=\"request-id\"[^>]*>([^<]+)<").Groups[1].Value;
        Assert.False(string.IsNullOrWhiteSpace(requestId), page);
        Assert.Contains(logs.Entries, entry => entry.Contains(requestId, StringComparison.Ordinal));
        Assert.DoesNotContain(FailingDocuments.Message, page);
    }

    [Theory]
    [InlineData("/status/401", "Sign in required")]
    [InlineData("/status/403", "Not allowed")]
    [InlineData("/status/404", "Page not found")]
    [InlineData("/status/405", "Something went wrong")]
    public async Task Status_pages_are_pages_of_the_portal_with_a_request_id_and_a_way_back(string path, string heading)
    {
        await using var portal = new PortalFactory(database.ConnectionString);
        using var client = portal.CreateClient(new() { AllowAutoRedirect = false });

        using var response = await client.GetAsync(path);
        var page = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Matches($"<h1[^>]*>{heading}</h1>", page);
        Assert.Contains("data-testid=\"request-id\"", page);
        Assert.Contains("href=\"/\"", page);
    }

    private sealed class FailingDocuments : IOpenApiDocumentProvider
    {
        public const string Message = "the test host's OpenAPI document fails";

        public Task<OpenApiDocument> GetOpenApiDocumentAsync(CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException(Message);
    }
}
