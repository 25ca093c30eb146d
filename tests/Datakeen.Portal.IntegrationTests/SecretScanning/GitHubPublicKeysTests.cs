using Datakeen.Portal.SecretScanning;
using Datakeen.Portal.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.IntegrationTests.SecretScanning;

// GitHub's key list is cached for five minutes: unknown identifiers (anyone can send them, unsigned) read it
// at most once per five minutes, and a key GitHub withdraws stops being trusted when the list is read again.
public sealed class GitHubPublicKeysTests
{
    [Fact]
    public async Task Unknown_key_identifiers_read_the_list_at_most_once_per_five_minutes()
    {
        await using var github = await GitHubKeyServer.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var services = Services(github, time);
        var keys = services.GetRequiredService<GitHubPublicKeys>();

        Assert.NotNull(await keys.FindAsync(github.KeyIdentifier, CancellationToken.None));
        for (var i = 0; i < 20; i++)
        {
            time.Advance(TimeSpan.FromSeconds(14));
            Assert.Null(await keys.FindAsync("unknown-" + i, CancellationToken.None));
        }
        var withinFiveMinutes = github.Fetches;
        time.Advance(TimeSpan.FromSeconds(20));
        Assert.Null(await keys.FindAsync("unknown-after", CancellationToken.None));

        Assert.Equal(1, withinFiveMinutes);
        Assert.Equal(2, github.Fetches);
    }

    [Fact]
    public async Task A_key_github_withdraws_is_no_longer_trusted_once_the_list_is_five_minutes_old()
    {
        await using var github = await GitHubKeyServer.StartAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var services = Services(github, time);
        var keys = services.GetRequiredService<GitHubPublicKeys>();
        Assert.NotNull(await keys.FindAsync(github.KeyIdentifier, CancellationToken.None));

        github.Withdraw();
        time.Advance(TimeSpan.FromMinutes(4));
        var stillCached = await keys.FindAsync(github.KeyIdentifier, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(1));
        var afterLifetime = await keys.FindAsync(github.KeyIdentifier, CancellationToken.None);

        Assert.NotNull(stillCached);
        Assert.Null(afterLifetime);
        Assert.Equal(2, github.Fetches);
    }

    private static ServiceProvider Services(GitHubKeyServer github, TimeProvider time)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHttpClient(GitHubPublicKeys.HttpClientName);
        services.Configure<SecretScanningOptions>(options => options.GitHub.PublicKeysUrl = github.PublicKeysUrl);
        services.AddSingleton(time);
        services.AddSingleton<GitHubPublicKeys>();
        return services.BuildServiceProvider();
    }
}
