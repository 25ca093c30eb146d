using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// MudIconButton's markup (small size, its classes and the MudIcon SVG), written into the caller's own render tree.
// A MudIconButton is two components (the button and its MudIcon), each with two render-tree buffers kept for the
// life of the circuit; the tab shows a dozen of these buttons in every open tab (docs/benchmarks.md, circuits).
// Same element, name, focus and click as before; only the per-circuit cost differs.
internal static class LightIconButton
{
    private const string ButtonClass = "mud-button-root mud-icon-button mud-ripple mud-ripple-icon mud-icon-button-size-small";

    public static RenderFragment Small(object receiver, string icon, string label, Func<Task> onClick,
        bool disabled = false, bool primary = false) => builder =>
    {
        builder.OpenElement(0, "button");
        builder.AddAttribute(1, "class", ButtonClass + (primary ? " mud-primary-text hover:mud-primary-hover" : ""));
        builder.AddAttribute(2, "aria-label", label);
        builder.AddAttribute(3, "type", "button");
        builder.AddAttribute(4, "disabled", disabled);
        builder.AddAttribute(5, "onclick", EventCallback.Factory.Create(receiver, onClick));
        builder.OpenElement(6, "span");
        builder.AddAttribute(7, "class", "mud-icon-button-label");
        AddIcon(builder, icon);
        builder.CloseElement();
        builder.CloseElement();
    };

    private static void AddIcon(RenderTreeBuilder builder, string icon)
    {
        builder.OpenElement(8, "svg");
        builder.AddAttribute(9, "class", "mud-icon-root mud-svg-icon mud-icon-size-small");
        builder.AddAttribute(10, "focusable", "false");
        builder.AddAttribute(11, "viewBox", "0 0 24 24");
        builder.AddAttribute(12, "aria-hidden", "true");
        builder.AddAttribute(13, "role", "img");
        builder.AddMarkupContent(14, icon);
        builder.CloseElement();
    }
}
