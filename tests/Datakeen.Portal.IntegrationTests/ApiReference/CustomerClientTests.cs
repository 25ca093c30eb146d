using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.IntegrationTests.ApiReference;

// The served /openapi/v1.json as customers consume it: linted by Redocly's recommended rules, and turned into a
// TypeScript client (openapi-typescript + openapi-fetch) that must compile with `tsc --strict` and work.
public sealed class CustomerClientTests : IClassFixture<PortalDatabaseFixture>, IAsyncLifetime
{
    private readonly PortalFactory _portal;
    private Uri _address = null!;

    public CustomerClientTests(PortalDatabaseFixture database) =>
        _portal = new PortalFactory(database.ConnectionString);

    public async Task InitializeAsync()
    {
        _address = _portal.StartOnKestrel();
        await NodeTools.EnsureInstalledAsync();
    }

    public async Task DisposeAsync() => await _portal.DisposeAsync();

    private string DocumentUrl => new Uri(_address, "/openapi/v1.json").ToString();

    [Fact]
    public async Task Redocly_lint_with_the_recommended_rules_finds_no_error_in_the_served_document()
    {
        var lint = await NodeTools.RunAsync(NodeTools.Bin("redocly"),
            ["lint", "--extends=recommended", "--format=summary", DocumentUrl], NodeTools.Directory);

        Assert.True(lint.ExitCode == 0, "redocly lint reported errors:\n" + lint.Output);
    }

    [Fact]
    public async Task A_generated_typescript_client_compiles_strictly_and_consumes_with_a_replay()
    {
        var workspace = await TestWorkspaces.CreateAsync(_portal);
        var work = Directory.CreateTempSubdirectory("datakeen-ts-client-").FullName;
        try
        {
            foreach (var file in new[] { "customer.ts", "tsconfig.json" })
            {
                File.Copy(Path.Combine(NodeTools.Source, file), Path.Combine(work, file));
            }

            await File.WriteAllTextAsync(Path.Combine(work, "package.json"), """{ "private": true, "type": "module" }""");
            Directory.CreateSymbolicLink(Path.Combine(work, "node_modules"), Path.Combine(NodeTools.Directory, "node_modules"));

            var generate = await NodeTools.RunAsync(NodeTools.Bin("openapi-typescript"), [DocumentUrl, "-o", "datakeen-api.d.ts"], work);
            Assert.True(generate.ExitCode == 0, "openapi-typescript failed:\n" + generate.Output);
            var compile = await NodeTools.RunAsync(NodeTools.Bin("tsc"), ["--project", "tsconfig.json", "--strict"], work);
            Assert.True(compile.ExitCode == 0, "tsc --strict failed:\n" + compile.Output);

            var run = await NodeTools.RunAsync("node", ["out/customer.js"], work, new Dictionary<string, string>
            {
                ["DATAKEEN_API_URL"] = _address.ToString().TrimEnd('/'),
                ["DATAKEEN_SECRET_KEY"] = workspace.TestSecretKey,
            });
            Assert.True(run.ExitCode == 0, "the program failed:\n" + run.Output);

            using var seen = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]);
            var root = seen.RootElement;
            Assert.Equal(workspace.Slug, root.GetProperty("workspace").GetString());
            Assert.Equal("secret", root.GetProperty("keyType").GetString());
            Assert.Equal(19, root.GetProperty("expectedBalance").GetInt32());
            Assert.Equal(19, root.GetProperty("balance").GetInt32());
            Assert.Equal("true", root.GetProperty("replayed").GetString());
            Assert.True(root.GetProperty("sameEntry").GetBoolean());
            Assert.Matches("^[0-9a-f]{32}$", root.GetProperty("requestId").GetString());
            Assert.Equal("insufficient_credits /docs/errors#insufficient_credits", root.GetProperty("refusal").GetString());

            await using var db = TestPostgres.CreateDbContext(_portal.ConnectionString);
            Assert.Equal(19, await db.CreditAccounts
                .Where(a => a.WorkspaceId == workspace.Id && a.Environment == KeyEnvironment.Test).Select(a => a.Balance).SingleAsync());
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
