using Datakeen.Portal.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace Datakeen.Portal.Tests.Infrastructure;

public sealed class ChangeFeedStatusTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    [Fact]
    public void A_feed_that_has_not_connected_yet_gets_a_grace_period_then_is_reported()
    {
        var status = new ChangeFeedStatus(_time);

        Assert.Null(status.Problem());
        _time.Advance(TimeSpan.FromSeconds(16));

        Assert.Equal("change feed disconnected", status.Problem());
    }

    [Fact]
    public void A_connected_feed_whose_keepalives_stop_arriving_is_reported_as_silent()
    {
        var status = new ChangeFeedStatus(_time);
        status.MarkConnected();
        _time.Advance(TimeSpan.FromSeconds(10));
        status.MarkHeard();
        _time.Advance(TimeSpan.FromSeconds(10));

        Assert.Null(status.Problem());
        _time.Advance(TimeSpan.FromSeconds(6));

        Assert.Equal("change feed silent (no keepalive delivered)", status.Problem());
    }

    [Fact]
    public void A_lost_connection_is_reported_once_the_grace_period_is_over()
    {
        var status = new ChangeFeedStatus(_time);
        status.MarkConnected();
        status.MarkDisconnected();

        Assert.Null(status.Problem());
        _time.Advance(TimeSpan.FromSeconds(16));

        Assert.Equal("change feed disconnected", status.Problem());
    }
}
