using Microsoft.JSInterop;
using MudBlazor;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// Copies text with the browser's Clipboard API (wwwroot/js/portal.js) and confirms with a snackbar.
// The text itself never goes into the snackbar: it may be a secret.
public sealed class ClipboardCopier(IJSRuntime js, ISnackbar snackbar)
{
    public const string CopyFunction = "datakeen.copyText";

    public async Task<bool> CopyAsync(string text)
    {
        try
        {
            await js.InvokeVoidAsync(CopyFunction, text);
            snackbar.Add("Copied", Severity.Success);
            return true;
        }
        catch (JSException)
        {
            // Clipboard permission denied, or the page is not focused.
            snackbar.Add("Couldn't copy to the clipboard. Reveal the value and copy it by hand.", Severity.Error);
            return false;
        }
    }
}
