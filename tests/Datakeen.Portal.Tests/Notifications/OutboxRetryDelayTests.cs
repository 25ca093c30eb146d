using Datakeen.Portal.Notifications;

namespace Datakeen.Portal.Tests.Notifications;

public sealed class OutboxRetryDelayTests
{
    private static readonly SmtpOptions Options = new() { RetryDelay = TimeSpan.FromSeconds(5), MaxRetryDelay = TimeSpan.FromMinutes(10) };

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(8, 600)]
    [InlineData(1000, 600)]
    public void The_retry_delay_doubles_per_attempt_up_to_the_cap(int attempts, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), OutboxSender.RetryDelay(attempts, Options));
}
