using Datakeen.Portal.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Datakeen.Portal.Tests.Components.Shared;

public sealed class PartErrorBoundaryTests : PortalTestContext
{
    [Fact]
    public void A_failing_part_shows_a_request_id_and_its_sibling_keeps_rendering()
    {
        var page = Render(builder =>
        {
            builder.OpenComponent<PartErrorBoundary>(0);
            builder.AddAttribute(1, nameof(PartErrorBoundary.Part), "The test secret key row");
            builder.AddAttribute(2, nameof(PartErrorBoundary.ChildContent), (RenderFragment)(b => { b.OpenComponent<Failing>(0); b.CloseComponent(); }));
            builder.CloseComponent();
            builder.AddMarkupContent(3, "<p id=\"sibling\">still here</p>");
        });

        var alert = page.Find("[data-testid='part-error']");
        Assert.Contains("The test secret key row could not be shown", alert.TextContent);
        Assert.Matches("^[0-9a-f]{32}$", page.Find("[data-testid='request-id']").TextContent);
        Assert.Equal("still here", page.Find("#sibling").TextContent);
        Assert.DoesNotContain(Failing.Message, page.Markup);
    }

    private sealed class Failing : ComponentBase
    {
        public const string Message = "the row's data is broken";

        protected override void BuildRenderTree(RenderTreeBuilder builder) => throw new InvalidOperationException(Message);
    }
}
