using Datakeen.Portal.Components.Pages;

namespace Datakeen.Portal.Tests.Components;

public sealed class NotFoundPageTests : PortalTestContext
{
    [Fact]
    public void Not_found_page_says_so_and_links_home()
    {
        var page = Render<NotFound>();

        Assert.Contains("Page not found", page.Find("h1").TextContent);
        Assert.Equal("/", page.Find("a").GetAttribute("href"));
    }
}
