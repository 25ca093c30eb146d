using System.Net;
using System.Net.Http.Headers;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static Microsoft.Playwright.Assertions;

namespace Datakeen.Portal.EndToEndTests.ApiDocs;

// A portal whose key service (a decorator registered by this test host only) hands the tab the Test public key
// without its capabilities, so that key's row fails while it renders: a forced exception in one key row.
public sealed class RowBreakingEnvironment : PortalEnvironment
{
    protected override void ConfigureTestServices(IServiceCollection services) =>
        services.AddSingleton<IApiKeyManager>(sp => new RowBreakingKeys(sp.GetRequiredService<ApiKeyManager>()));

    private sealed class RowBreakingKeys(IApiKeyManager keys) : IApiKeyManager
    {
        public async Task<IReadOnlyList<ApiKeyView>> ListAsync(Guid workspaceId, Actor actor, CancellationToken ct = default) =>
            [.. (await keys.ListAsync(workspaceId, actor, ct)).Select(k =>
                k is { Environment: KeyEnvironment.Test, Kind: KeyKind.Public } ? k with { Capabilities = null! } : k)];

        public Task<KeyAccessResult> GetPlaintextAsync(Guid workspaceId, Guid keyId, KeyAccessPurpose purpose, Actor actor,
            CancellationToken ct = default) => keys.GetPlaintextAsync(workspaceId, keyId, purpose, actor, ct);

        public Task<KeyRotationResult> RotateAsync(Guid workspaceId, Guid keyId, TimeSpan? gracePeriod, Actor actor,
            CancellationToken ct = default) => keys.RotateAsync(workspaceId, keyId, gracePeriod, actor, ct);

        public Task<KeyRotationResult> EndGraceAsync(Guid workspaceId, Guid keyId, Actor actor, CancellationToken ct = default) =>
            keys.EndGraceAsync(workspaceId, keyId, actor, ct);

        public Task<AllowedOriginsResult> SaveAllowedOriginsAsync(Guid workspaceId, Guid keyId, IReadOnlyList<string> origins,
            Actor actor, CancellationToken ct = default) => keys.SaveAllowedOriginsAsync(workspaceId, keyId, origins, actor, ct);
    }
}

public sealed class KeyRowFailureTests(RowBreakingEnvironment portal) : IClassFixture<RowBreakingEnvironment>
{
    [Fact]
    public async Task A_failing_key_row_shows_a_request_id_and_the_credit_meter_and_other_rows_keep_working()
    {
        var page = await portal.NewPageAsync();
        await portal.SignInAsync(page, "admin@acme.test", path: "/w/acme/api");
        var tab = new ApiDocsTabPage(page);

        var failure = tab.Test.Region.GetByTestId("part-error");
        await Expect(failure).ToContainTextAsync("The test public key row could not be shown");
        await Expect(failure.GetByTestId("request-id")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[0-9a-f]{32}$"));
        await Expect(tab.Test.SecretKey.RevealButton).ToBeEnabledAsync();
        await Expect(tab.Test.CreditMeter).ToBeVisibleAsync();
        var before = int.Parse((await tab.Test.CreditMeter.GetAttributeAsync("aria-valuenow"))!, System.Globalization.CultureInfo.InvariantCulture);
        await Screenshots.TakeAsync(page, "key-row-failure");

        // The meter still follows the credits: a debit made through the API shows on the open tab.
        using var client = new HttpClient { BaseAddress = portal.PortalAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await AcmeTestSecretAsync());
        using var consume = new HttpRequestMessage(HttpMethod.Post, "/api/v1/credits/consume")
        {
            Content = new StringContent("""{ "amount": 1 }""", System.Text.Encoding.UTF8, "application/json"),
        };
        consume.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        Assert.Equal(HttpStatusCode.Created, (await client.SendAsync(consume)).StatusCode);

        await Expect(tab.Test.CreditMeter).ToHaveAttributeAsync("aria-valuenow", (before - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        await page.Context.CloseAsync();
    }

    private async Task<string> AcmeTestSecretAsync()
    {
        await using var db = portal.CreateDbContext();
        var acme = await db.Workspaces.AsNoTracking().SingleAsync(w => w.Slug == "acme");
        var key = await db.ApiKeys.AsNoTracking().SingleAsync(k => k.WorkspaceId == acme.Id && k.Environment == KeyEnvironment.Test
            && k.Kind == KeyKind.Secret && k.RevokedAt == null && k.ExpiresAt == null);
        return portal.Service<ApiKeySecrets>().Unprotect(key.ProtectedSecret!);
    }
}
