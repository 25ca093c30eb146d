using System.Net.Http.Headers;
using Datakeen.Portal.Data;
using Datakeen.Portal.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Datakeen.Portal.IntegrationTests.Notifications;

// The portal on its own database, mailing a real SMTP server, and trusting a stand-in for GitHub's
// secret-scanning keys. Every test creates its own workspace.
public sealed class MailingPortalFixture : IAsyncLifetime
{
    private readonly PortalDatabaseFixture _database = new();

    public PortalFactory Portal { get; private set; } = null!;
    public TestSmtpServer Smtp { get; private set; } = null!;
    public GitHubKeyServer GitHub { get; private set; } = null!;
    public string ConnectionString => _database.ConnectionString;
    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Smtp = TestSmtpServer.Start();
        GitHub = await GitHubKeyServer.StartAsync();
        var settings = new Dictionary<string, string?>(Smtp.PortalSettings())
        {
            ["SecretScanning:GitHub:PublicKeysUrl"] = GitHub.PublicKeysUrl,
            ["SecretScanning:GitHub:MinRefetchInterval"] = "00:00:00",
            ["ApiKeys:FailedAttemptsPerMinute"] = "10000",
            ["ApiKeys:RequestsPerMinutePerKey"] = "10000",
        };
        Portal = new PortalFactory(_database.ConnectionString, settings) { LogCapture = Logs };
        Portal.CreateClient().Dispose();
    }

    public async Task DisposeAsync()
    {
        await Portal.DisposeAsync();
        await GitHub.DisposeAsync();
        await Smtp.DisposeAsync();
        await _database.DisposeAsync();
    }

    public HttpClient ClientWith(string? key)
    {
        var client = Portal.CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public T Service<T>() where T : notnull => Portal.Services.GetRequiredService<T>();

    public async Task<PortalDbContext> DbAsync() =>
        await Service<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync();

    public async Task<string> AdminEmailAsync(Guid workspaceId)
    {
        await using var db = await DbAsync();
        return await db.Memberships.Where(m => m.WorkspaceId == workspaceId && m.Role == Datakeen.Portal.Workspaces.WorkspaceRole.Admin)
            .Select(m => m.User!.Email!).FirstAsync();
    }
}
