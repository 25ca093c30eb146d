using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auditing;
using Datakeen.Portal.IntegrationTests.ApiKeys;
using Datakeen.Portal.IntegrationTests.Notifications;
using Datakeen.Portal.SecretScanning;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;

namespace Datakeen.Portal.IntegrationTests.SecretScanning;

public sealed class LeakReportTests(MailingPortalFixture portal) : IClassFixture<MailingPortalFixture>
{
    [Fact]
    public async Task A_leaked_test_secret_is_refused_right_after_the_answer_and_replaced()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var leaked = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        using var client = portal.ClientWith(leaked.Plaintext);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/whoami")).StatusCode);
        var url = $"https://github.com/someone/app/blob/{Guid.NewGuid():N}/config.env";

        var feedback = await ReportTokenAsync(leaked.Plaintext, url);

        var entry = Assert.Single(feedback.EnumerateArray());
        Assert.Equal(Sha256Hex(leaked.Plaintext), entry.GetProperty("token_hash").GetString());
        Assert.Equal("datakeen_test_secret_key", entry.GetProperty("token_type").GetString());
        Assert.Equal("true_positive", entry.GetProperty("label").GetString());
        await ApiKeyAuthenticationTests.AssertInvalidApiKeyAsync(await client.GetAsync("/api/v1/whoami"));

        await using var db = await portal.DbAsync();
        var keys = await db.ApiKeys.AsNoTracking()
            .Where(k => k.WorkspaceId == workspace.Id && k.Environment == KeyEnvironment.Test && k.Kind == KeyKind.Secret).ToListAsync();
        var replacement = Assert.Single(keys, k => k.RevokedAt == null);
        var old = Assert.Single(keys, k => k.Id == leaked.Id);
        Assert.Equal(replacement.Id, old.ReplacedByKeyId);
        Assert.Equal(url, old.ExposedUrl);
        Assert.NotNull(replacement.ProtectedSecret);
        var audit = await db.AuditEvents.AsNoTracking().Where(e => e.WorkspaceId == workspace.Id).ToListAsync();
        Assert.Contains(audit, e => e.Action == AuditActions.KeyLeakReported && e.Details!.Contains(url) && e.ActorDescription == LeakResponder.ActorDescription);
        Assert.Contains(audit, e => e.Action == AuditActions.KeyRotated && e.Details!.Contains(url));
        Assert.DoesNotContain(audit, e => KeyPatterns.AnyKey.IsMatch($"{e.Target} {e.Details}"));

        var shown = (await portal.Service<ApiKeyListing>().ListAsync(workspace.Id, workspace.Admin)).Single(k => k.Id == replacement.Id);
        Assert.Equal(new KeyExposure(KeyExposureKind.ReplacedAfterLeak, url, old.ExposedAt!.Value) { LeakedKeyId = old.Id }, shown.Exposure);

        var admin = await portal.AdminEmailAsync(workspace.Id);
        var mail = await portal.Smtp.WaitForAsync(m => (m.Subject ?? "").Contains("found in public") && m.To.ToString().Contains(admin));
        Assert.Contains(url, mail.TextBody);
        Assert.Contains("revoked at once and replaced", mail.TextBody);
        Assert.DoesNotMatch(KeyPatterns.AnyKey, mail.TextBody);
        Assert.DoesNotContain(portal.Logs.Entries, e => e.Contains(leaked.Plaintext, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_leaked_production_secret_keeps_working_and_shows_the_alert()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var leaked = workspace.Key(KeyEnvironment.Production, KeyKind.Secret);
        var url = $"https://gist.github.com/someone/{Guid.NewGuid():N}";

        var entry = Assert.Single((await ReportTokenAsync(leaked.Plaintext, url, "datakeen_live_secret_key")).EnumerateArray());

        Assert.Equal("true_positive", entry.GetProperty("label").GetString());
        using var client = portal.ClientWith(leaked.Plaintext);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/whoami")).StatusCode);
        var shown = (await portal.Service<ApiKeyListing>().ListAsync(workspace.Id, workspace.Admin)).Single(k => k.Id == leaked.Id).Exposure;
        Assert.Equal(KeyExposureKind.Exposed, shown?.Kind);
        Assert.Equal(url, shown?.Url);
        var outsider = await TestWorkspaces.CreateOutsiderAsync(portal.Portal.Services);
        Assert.Empty(await portal.Service<ApiKeyListing>().ListAsync(workspace.Id, outsider));

        var admin = await portal.AdminEmailAsync(workspace.Id);
        var mail = await portal.Smtp.WaitForAsync(m => (m.Subject ?? "").Contains("found in public") && m.To.ToString().Contains(admin));
        Assert.Contains(url, mail.TextBody);
        Assert.Contains("still works", mail.TextBody);
    }

    [Fact]
    public async Task With_RevokeProduction_a_leaked_production_secret_is_revoked_and_replaced()
    {
        await using var revoking = portal.Portal.WithWebHostBuilder(host => host.UseSetting("SecretScanning:RevokeProduction", "true"));
        var workspace = await TestWorkspaces.CreateAsync(revoking.Services);
        var leaked = workspace.Key(KeyEnvironment.Production, KeyKind.Secret);
        using var client = revoking.CreateClient();
        using var request = portal.GitHub.Report(Body((leaked.Plaintext, "https://github.com/a/b/blob/main/.env")));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        client.DefaultRequestHeaders.Authorization = new("Bearer", leaked.Plaintext);
        await ApiKeyAuthenticationTests.AssertInvalidApiKeyAsync(await client.GetAsync("/api/v1/whoami"));
        await using var db = await portal.DbAsync();
        var replacement = await db.ApiKeys.AsNoTracking().SingleAsync(k =>
            k.WorkspaceId == workspace.Id && k.Environment == KeyEnvironment.Production && k.Kind == KeyKind.Secret && k.RevokedAt == null);
        // Nobody has seen the new Production secret yet: the admins can reveal it once.
        Assert.NotNull(replacement.ProtectedSecret);
    }

    [Fact]
    public async Task Public_unknown_and_already_revoked_keys_are_false_positives_and_change_nothing()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        // A secret (public keys are false positives anyway): only the "no longer works" branch can answer for it.
        var revoked = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        var rotation = await portal.Service<IApiKeyManager>().RotateAsync(workspace.Id, revoked.Id, null, workspace.Admin);
        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
        var unknown = KeyFormat.Generate(KeyEnvironment.Test, KeyKind.Secret);
        var url = $"https://github.com/x/y/blob/{Guid.NewGuid():N}/a.js";
        var before = await KeyStateAsync(workspace.Id);

        var feedback = await ReportAsync(Body(
            (workspace.LivePublicKey, url), (unknown, url), (revoked.Plaintext, url), ("not-a-datakeen-key", url)));

        Assert.All(feedback.EnumerateArray(), e => Assert.Equal("false_positive", e.GetProperty("label").GetString()));
        Assert.Equal(
            new[] { workspace.LivePublicKey, unknown, revoked.Plaintext, "not-a-datakeen-key" }.Select(Sha256Hex),
            feedback.EnumerateArray().Select(e => e.GetProperty("token_hash").GetString()));
        Assert.Equal(before, await KeyStateAsync(workspace.Id));
        await using var db = await portal.DbAsync();
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyLeakReported));
        Assert.Equal(2, await db.AuditEvents.CountAsync(e => e.WorkspaceId == null && e.Action == AuditActions.KeyLeakReported && e.Details!.Contains(url)));
        Assert.False(await db.OutboxEmails.AnyAsync(m => m.WorkspaceId == workspace.Id && m.Subject.Contains("found in public")));
    }

    [Fact]
    public async Task A_leaked_key_still_inside_its_rotation_grace_period_stops_working_at_once()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var leaked = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        var rotation = await portal.Service<IApiKeyManager>().RotateAsync(workspace.Id, leaked.Id, TimeSpan.FromHours(24), workspace.Admin);
        Assert.Equal(KeyRotationOutcome.Rotated, rotation.Outcome);
        using var client = portal.ClientWith(leaked.Plaintext);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/whoami")).StatusCode);

        var entry = Assert.Single((await ReportTokenAsync(leaked.Plaintext, $"https://github.com/x/y/blob/{Guid.NewGuid():N}/k")).EnumerateArray());

        Assert.Equal("true_positive", entry.GetProperty("label").GetString());
        await ApiKeyAuthenticationTests.AssertInvalidApiKeyAsync(await client.GetAsync("/api/v1/whoami"));
        using var current = portal.ClientWith(rotation.NewPlaintext!);
        Assert.Equal(HttpStatusCode.OK, (await current.GetAsync("/api/v1/whoami")).StatusCode);
    }

    [Fact]
    public async Task A_tampered_body_an_unknown_key_identifier_or_no_signature_is_refused_and_changes_nothing()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var url = $"https://github.com/x/y/blob/{Guid.NewGuid():N}/a.py";
        var body = Body((workspace.TestSecretKey, url));
        var tampered = Body((workspace.LiveSecretKey, url));
        var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var foreignSignature = Convert.ToBase64String(otherKey.SignData(Encoding.UTF8.GetBytes(body), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        var before = await KeyStateAsync(workspace.Id);
        using var client = portal.Portal.CreateClient();

        var refused = new List<HttpResponseMessage>
        {
            await client.SendAsync(portal.GitHub.Report(tampered, signature: portal.GitHub.Sign(body))),
            await client.SendAsync(portal.GitHub.Report(body, keyIdentifier: "no-such-key-identifier")),
            await client.SendAsync(portal.GitHub.Report(body, signature: foreignSignature)),
            await client.SendAsync(portal.GitHub.Report(body, signature: "not base64!")),
            await client.PostAsync("/api/v1/secret-scanning/github", new StringContent(body, Encoding.UTF8, "application/json")),
        };

        foreach (var response in refused)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("invalid_signature", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        Assert.Equal(before, await KeyStateAsync(workspace.Id));
        await using var db = await portal.DbAsync();
        Assert.False(await db.LeakReports.AnyAsync(r => r.Url == url));
        Assert.False(await db.AuditEvents.AnyAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyLeakReported));
        using var keyClient = portal.ClientWith(workspace.TestSecretKey);
        Assert.Equal(HttpStatusCode.OK, (await keyClient.GetAsync("/api/v1/whoami")).StatusCode);
    }

    [Fact]
    public async Task A_signed_body_that_is_not_a_report_is_a_400_problem()
    {
        using var client = portal.Portal.CreateClient();

        using var response = await client.SendAsync(portal.GitHub.Report("""{"token":"x"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_same_report_ten_times_in_parallel_is_handled_once()
    {
        var workspace = await TestWorkspaces.CreateAsync(portal.Portal);
        var leaked = workspace.Key(KeyEnvironment.Test, KeyKind.Secret);
        var body = Body((leaked.Plaintext, $"https://github.com/x/y/blob/{Guid.NewGuid():N}/settings.py"));

        var answers = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            using var client = portal.Portal.CreateClient();
            using var response = await client.SendAsync(portal.GitHub.Report(body));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }));
        var again = await ReportAsync(body);

        Assert.All(answers, a => Assert.Equal(answers[0], a));
        Assert.Equal(answers[0], again.GetRawText());
        Assert.Contains("true_positive", answers[0]);
        await using var db = await portal.DbAsync();
        Assert.Equal(2, await db.ApiKeys.CountAsync(k => k.WorkspaceId == workspace.Id && k.Environment == KeyEnvironment.Test && k.Kind == KeyKind.Secret));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyRotated));
        Assert.Equal(1, await db.AuditEvents.CountAsync(e => e.WorkspaceId == workspace.Id && e.Action == AuditActions.KeyLeakReported));
        Assert.Equal(1, await db.OutboxEmails.CountAsync(m => m.WorkspaceId == workspace.Id));
    }

    private async Task<JsonElement> ReportTokenAsync(string token, string url, string type = "datakeen_test_secret_key") =>
        await ReportAsync(Body((token, url)), type);

    private async Task<JsonElement> ReportAsync(string body, string? type = null)
    {
        if (type is not null)
        {
            body = body.Replace("datakeen_key", type, StringComparison.Ordinal);
        }

        using var client = portal.Portal.CreateClient();
        using var response = await client.SendAsync(portal.GitHub.Report(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static string Body(params (string Token, string Url)[] entries) =>
        JsonSerializer.Serialize(entries.Select(e => new { token = e.Token, type = "datakeen_key", url = e.Url, source = "content" }));

    private async Task<string> KeyStateAsync(Guid workspaceId)
    {
        await using var db = await portal.DbAsync();
        var keys = await db.ApiKeys.AsNoTracking().Where(k => k.WorkspaceId == workspaceId).OrderBy(k => k.Id)
            .Select(k => new { k.Id, k.RevokedAt, k.ExposedAt, k.ExposedUrl }).ToListAsync();
        return string.Join(";", keys);
    }

    private static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
