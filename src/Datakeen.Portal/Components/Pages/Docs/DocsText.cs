using System.Net;
using System.Text;
using Microsoft.AspNetCore.Components;

namespace Datakeen.Portal.Components.Pages.Docs;

// The reference's texts (ApiErrors, the OpenAPI descriptions) mark code with backticks. They are our own
// constants; each part is encoded before the <code> tags go in.
public static class DocsText
{
    public static MarkupString Markup(string? text)
    {
        var parts = (text ?? "").Split('`');
        var html = new StringBuilder();
        for (var i = 0; i < parts.Length; i++)
        {
            var encoded = WebUtility.HtmlEncode(parts[i]);
            html.Append(i % 2 == 1 ? $"<code>{encoded}</code>" : encoded);
        }

        return new MarkupString(html.ToString());
    }
}
