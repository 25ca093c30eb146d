using Datakeen.Portal.Components.Shared;

namespace Datakeen.Portal.Tests.Components.Shared;

public sealed class FriendlyTimeElementTests : PortalTestContext
{
    [Fact]
    public void The_element_is_a_focusable_time_with_the_instant_in_datetime_and_the_full_utc_time_until_the_browser_localizes_it()
    {
        var now = new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
        var at = new DateTimeOffset(2026, 11, 26, 13, 57, 0, TimeSpan.FromHours(2));

        var rendered = Render(FriendlyTime.Element(at, now));

        var time = rendered.Find("time");
        Assert.Equal("3 minutes ago", time.TextContent);
        Assert.Equal("2026-11-26T11:57:00Z", time.GetAttribute("datetime"));
        Assert.Equal("Thursday 26 November 2026, 11:57:00 UTC", time.GetAttribute("title"));
        Assert.Equal("0", time.GetAttribute("tabindex"));
        Assert.True(time.HasAttribute("data-dk-time"));
    }
}
