using Datakeen.Portal.Components.Shared;
namespace Datakeen.Portal.Tests.Components.Shared;

public sealed class FriendlyTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(-20, "just now")]
    [InlineData(-60, "1 minute ago")]
    [InlineData(-3 * 60 * 60, "3 hours ago")]
    [InlineData(-24 * 60 * 60, "1 day ago")]
    [InlineData(-5 * 24 * 60 * 60, "5 days ago")]
    [InlineData(60 * 60, "in 1 hour")]
    [InlineData(7 * 24 * 60 * 60, "in 7 days")]
    [InlineData(-60 * 24 * 60 * 60, "on 27 Sep 2026")]
    public void Relative_times_read_naturally(int seconds, string expected) =>
        Assert.Equal(expected, FriendlyTime.Relative(Now.AddSeconds(seconds), Now));

    [Fact]
    public void Absolute_times_are_in_UTC()
    {
        var paris = new DateTimeOffset(2026, 11, 26, 13, 5, 0, TimeSpan.FromHours(1));

        Assert.Equal("26 Nov 2026, 12:05 UTC", FriendlyTime.Absolute(paris));
    }
}
