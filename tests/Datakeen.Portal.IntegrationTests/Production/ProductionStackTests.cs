using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Datakeen.Portal.Data;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace Datakeen.Portal.IntegrationTests.Production;

// What docker-compose.yml runs, end to end: a person signs in, a Datakeen service verifies a customer key
// with a client-credentials token, and the customer consumes credits with that key.
public sealed class ProductionStackTests(ProductionStack stack) : IClassFixture<ProductionStack>
{
    [Fact]
    public async Task The_portal_runs_as_production_on_a_role_that_owns_nothing()
    {
        Assert.True(stack.Portal.Services.GetRequiredService<IHostEnvironment>().IsProduction());
        await using var db = await stack.Portal.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync();

        await using (var super = new NpgsqlCommand("SELECT rolsuper FROM pg_roles WHERE rolname = current_user", connection))
        {
            Assert.False((bool)(await super.ExecuteScalarAsync())!);
        }
        await using var create = new NpgsqlCommand("CREATE TABLE runtime_role_probe (id int)", connection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => create.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
        await using var alter = new NpgsqlCommand("ALTER TABLE workspaces ADD COLUMN probe int", connection);
        refused = await Assert.ThrowsAsync<PostgresException>(() => alter.ExecuteNonQueryAsync());
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task A_person_signs_in_through_the_provider_and_sees_their_workspace()
    {
        using var signedIn = await stack.SignInAsync("admin@acme.test");

        using var page = await signedIn.Client.GetAsync("/w/acme/api");

        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{(int)page.StatusCode} {page.Headers.Location} landing={signedIn.LandingLocation} cookies={string.Join(";", signedIn.Cookies.GetAllCookies().Select(c => c.Name + (c.Secure ? "(secure)" : "")))}");
        Assert.Contains("Acme", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_service_token_verifies_a_key_and_the_key_consumes_credits()
    {
        var workspace = await TestWorkspaces.CreateAsync(stack.Portal);
        var token = await ServiceTokens.RequestAsync(stack.Identity);
        using var service = stack.Client();
        service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        using (var verified = await service.PostAsJsonAsync("/api/v1/keys/verify", new { key = workspace.TestSecretKey }))
        {
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
            var body = await verified.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(body.GetProperty("valid").GetBoolean());
            Assert.Equal(workspace.Id, body.GetProperty("workspace").GetProperty("id").GetGuid());
            Assert.Equal(20, body.GetProperty("credits").GetProperty("remaining").GetInt64());
        }

        using var customer = stack.Client();
        customer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", workspace.TestSecretKey);
        using var consume = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume")
        {
            Content = JsonContent.Create(new { amount = 3 }),
        };
        consume.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        using (var consumed = await customer.SendAsync(consume))
        {
            Assert.Equal(HttpStatusCode.Created, consumed.StatusCode);
            Assert.Equal(17, (await consumed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("balance").GetInt64());
        }

        using var again = await service.PostAsJsonAsync("/api/v1/keys/verify", new { key = workspace.TestSecretKey });
        Assert.Equal(17, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("credits").GetProperty("remaining").GetInt64());
    }

    [Fact]
    public async Task A_token_the_provider_did_not_sign_is_refused_with_401_not_500()
    {
        using var service = stack.Client();
        service.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");

        using var response = await service.PostAsJsonAsync("/api/v1/keys/verify", new { key = "dk_test_x" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
