using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Components.Pages.ApiDocs;
using Datakeen.Portal.IntegrationTests.ApiReference;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Datakeen.Portal.IntegrationTests.Docs;

// The curl and Node samples exactly as the tab and /docs show them (CodeSampleTemplates, with the running portal's
// address and the Test environment's base URLs), run by bash and node against a portal on a real port with a real
// key in DATAKEEN_SECRET_KEY: the first call answers, the metered call debits once, and an empty balance ends the
// metered call with its own message and exit code 2.
public sealed class CodeSampleRunTests : IClassFixture<PortalDatabaseFixture>, IAsyncLifetime
{
    private readonly PortalFactory _portal;
    private Uri _address = null!;
    private string _work = "";

    public CodeSampleRunTests(PortalDatabaseFixture database) => _portal = new PortalFactory(database.ConnectionString);

    public Task InitializeAsync()
    {
        _address = _portal.StartOnKestrel();
        _work = Directory.CreateTempSubdirectory("datakeen-samples-").FullName;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        await _portal.DisposeAsync();
    }

    [Theory]
    [InlineData("curl")]
    [InlineData("Node")]
    public async Task The_first_call_and_the_metered_call_run_green_and_the_metered_call_stops_on_402(string language)
    {
        var workspace = await TestWorkspaces.CreateAsync(_portal);

        var first = await RunAsync(language, CodeSampleKind.FirstCall, workspace.TestSecretKey);
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains(workspace.Slug, first.Output);
        Assert.Contains("secret", first.Output);

        var metered = await RunAsync(language, CodeSampleKind.MeteredCall, workspace.TestSecretKey);
        Assert.True(metered.ExitCode == 0, metered.Output);
        Assert.Matches(language == "curl" ? "\"balance\":\\s*19" : "balance:\\s*19", metered.Output);
        Assert.Equal(19, await BalanceAsync(workspace.TestSecretKey));

        await DrainAsync(workspace.TestSecretKey, 19);
        var refused = await RunAsync(language, CodeSampleKind.MeteredCall, workspace.TestSecretKey);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("Out of credits (insufficient_credits): nothing was debited.", refused.Output);
        Assert.Equal(0, await BalanceAsync(workspace.TestSecretKey));
    }

    [Fact]
    public async Task Without_the_key_variable_the_Node_sample_says_what_to_set_and_calls_nothing()
    {
        var run = await RunAsync("Node", CodeSampleKind.FirstCall, key: null);

        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("Set DATAKEEN_SECRET_KEY", run.Output);
    }

    private async Task<NodeTools.ProcessResult> RunAsync(string language, CodeSampleKind kind, string? key)
    {
        var baseUrls = _portal.Services.GetRequiredService<IOptions<BaseUrlOptions>>().Value.Test;
        var sample = CodeSampleTemplates.Sample(language, kind, KeyEnvironment.Test, _address.ToString(), baseUrls);
        var file = Path.Combine(_work, $"{kind}-{Guid.NewGuid():N}" + (language == "curl" ? ".sh" : ".mjs"));
        await File.WriteAllTextAsync(file, sample.Code);
        var environment = new Dictionary<string, string> { ["DATAKEEN_SECRET_KEY"] = key ?? "" };
        return await NodeTools.RunAsync(language == "curl" ? "bash" : "node", [file], _work, environment);
    }

    private async Task<int> BalanceAsync(string key)
    {
        using var client = Client(key);
        using var credits = JsonDocument.Parse(await client.GetStringAsync("/api/v1/credits"));
        return credits.RootElement.GetProperty("balance").GetInt32();
    }

    private async Task DrainAsync(string key, int amount)
    {
        using var client = Client(key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume")
        {
            Content = new StringContent($$"""{ "amount": {{amount}} }""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = _address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
