using System.Collections.Concurrent;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;
using Microsoft.AspNetCore.Components.Web;

namespace Datakeen.Portal.Components.Shared;

// MudIconButton's markup (its classes and the MudIcon SVG), written into the caller's own render tree.
// A MudIconButton is two components (the button and its MudIcon), each with two render-tree buffers kept for the
// life of the circuit; the tab and the app bar show a dozen of these buttons in every open tab
// (docs/benchmarks.md, circuits; docs/notes/circuit-memory.md). Same element, name, focus and click as before;
// only the per-circuit cost differs.
internal static class LightIconButton
{
    private const string Root = "mud-button-root mud-icon-button";
    private const string Ripple = " mud-ripple mud-ripple-icon";
    private const string Inherit = " mud-inherit-text hover:mud-inherit-hover";

    // The key rows' and base URLs' small default-colour buttons.
    public static RenderFragment Small(object receiver, string icon, string label, Func<Task> onClick,
        bool disabled = false, bool primary = false) => builder =>
    {
        builder.OpenElement(0, "button");
        builder.AddAttribute(1, "class", Root + (primary ? " mud-primary-text hover:mud-primary-hover" : "") + Ripple + " mud-icon-button-size-small");
        builder.AddAttribute(2, "aria-label", label);
        builder.AddAttribute(3, "type", "button");
        builder.AddAttribute(4, "disabled", disabled);
        builder.AddAttribute(5, "onclick", EventCallback.Factory.Create(receiver, onClick));
        AddLabel(builder, icon, "small");
        builder.CloseElement();
    };

    // The app bar's buttons: Color.Inherit, medium (or small), with MudBaseButton's stopPropagation of clicks.
    // onClick null: a submit button of the enclosing form (type "submit").
    public static RenderFragment AppBar(object receiver, string icon, string label, Func<Task>? onClick,
        bool disabled = false, bool small = false, string? extraClass = null, bool? pressed = null) => builder =>
    {
        builder.OpenElement(0, "button");
        builder.AddAttribute(1, "class", Root + Inherit + Ripple + (small ? " mud-icon-button-size-small" : "") + (extraClass is null ? "" : " " + extraClass));
        if (pressed is { } isPressed)
        {
            builder.AddAttribute(2, "aria-pressed", isPressed ? "true" : "false");
        }
        builder.AddAttribute(3, "aria-label", label);
        builder.AddAttribute(4, "type", onClick is null ? "submit" : "button");
        builder.AddAttribute(5, "disabled", disabled);
        if (onClick is not null)
        {
            builder.AddAttribute(6, "onclick", EventCallback.Factory.Create(receiver, onClick));
        }
        builder.AddEventStopPropagationAttribute(7, "onclick", true);
        AddLabel(builder, icon, small ? "small" : "medium");
        builder.CloseElement();
    };

    // An app bar link drawn as an icon button (MudIconButton with Href): an <a>, no handler.
    public static RenderFragment AppBarLink(string icon, string label, string href, string? extraClass = null) => builder =>
    {
        builder.OpenElement(0, "a");
        builder.AddAttribute(1, "class", Root + Inherit + Ripple + (extraClass is null ? "" : " " + extraClass));
        builder.AddAttribute(2, "aria-label", label);
        builder.AddAttribute(3, "type", "button");
        builder.AddAttribute(4, "href", href);
        AddLabel(builder, icon, "medium");
        builder.CloseElement();
    };

    // The button's label (its span and the icon's SVG) is the same markup for every button with that icon: one
    // shared string, one markup frame, instead of nine frames in every circuit's render trees.
    private static readonly ConcurrentDictionary<(string Icon, string Size), string> Labels = new();

    private static void AddLabel(RenderTreeBuilder builder, string icon, string size) =>
        builder.AddMarkupContent(20, Labels.GetOrAdd((icon, size),
            key => $"<span class=\"mud-icon-button-label\">{IconMarkup(key.Icon, key.Size)}</span>"));

    // MudIcon's SVG as markup (the icons are the portal's own constants, already SVG markup).
    public static string IconMarkup(string icon, string size, string? extraClass = null) =>
        $"<svg class=\"mud-icon-root mud-svg-icon mud-icon-size-{size}{(extraClass is null ? "" : " " + extraClass)}\" focusable=\"false\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" role=\"img\">{icon}</svg>";
}
