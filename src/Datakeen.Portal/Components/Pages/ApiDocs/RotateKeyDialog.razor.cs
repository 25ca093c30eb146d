using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Components.Auth;
using Datakeen.Portal.Workspaces;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// Confirms a rotation, performs it, then shows the new key once with a copy button.
public partial class RotateKeyDialog
{
    private TimeSpan _grace = TimeSpan.Zero;
    private bool _busy;
    private string? _error;
    private string? _newPlaintext;

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject] private IApiKeyManager Keys { get; set; } = default!;
    [Inject] private ClipboardCopier Clipboard { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;

    // Passed by the row (a dialog renders under the dialog provider, outside the row's cascade).
    [Parameter, EditorRequired] public WorkspaceContext Workspace { get; set; } = default!;
    [Parameter, EditorRequired] public ApiKeyView Key { get; set; } = default!;

    // Raised with the answer of a successful (or stale) rotation: the tab applies it behind the dialog.
    [Parameter] public EventCallback<KeyRotationResult> OnRotated { get; set; }

    private string KeyName => KeyLabels.KeyName(Key.Environment, Key.Kind);
    private bool IsDone => _newPlaintext is not null;
    private bool HasFailed => _error is not null;
    private bool IsShownOnce => Key.Capabilities.ShownOnce;

    // "Immediately", then the grace periods the server accepts for this key.
    private IEnumerable<GraceChoice> GraceChoices =>
        Key.Capabilities.AllowedGracePeriods.Select(GraceChoice.For).Prepend(new GraceChoice(TimeSpan.Zero, "Immediately", ""));

    private string Consequence => _grace == TimeSpan.Zero
        ? "The current key stops working immediately; update every integration that uses it."
        : _grace == KeyCapabilities.UntilNewKeyFirstUsed
        ? "The current key keeps working until the new key makes its first request, and 1 hour after that (at most 7 days); "
          + "update every integration that uses it before then."
        : $"The current key keeps working for {GraceChoice.For(_grace).Duration}, "
          + "then stops; update every integration that uses it before then.";

    private async Task RotateAsync()
    {
        _busy = true;
        try
        {
            TimeSpan? grace = _grace == TimeSpan.Zero ? null : _grace;
            var result = await Keys.RotateAsync(Workspace.Id, Key.Id, grace, Workspace.Actor);
            if (result.Outcome == KeyRotationOutcome.Rotated && result.NewPlaintext is not null)
            {
                _newPlaintext = result.NewPlaintext;
                await OnRotated.InvokeAsync(result);
                return;
            }

            // Every refusal of the key service carries the message to show.
            _error = result.Message ?? $"{result.Outcome}";
            if (result.Outcome is KeyRotationOutcome.SessionEnded or KeyRotationOutcome.ReauthenticationRequired)
            {
                SignInRedirect.Send(Navigation, reauthenticate: result.Outcome == KeyRotationOutcome.ReauthenticationRequired);
                return;
            }

            if (result.Outcome is KeyRotationOutcome.Stale or KeyRotationOutcome.NotFound)
            {
                await OnRotated.InvokeAsync(result);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _error = "The key could not be rotated: the server did not answer. Reload the page to see the key's current state.";
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task CopyNewKeyAsync()
    {
        if (_newPlaintext is not null)
        {
            await Clipboard.CopyAsync(_newPlaintext);
        }
    }

    private void Cancel() => Dialog.Cancel();

    private void Close() => Dialog.Close(DialogResult.Ok(IsDone));

    public sealed record GraceChoice(TimeSpan Grace, string Label, string Duration)
    {
        public static GraceChoice For(TimeSpan grace)
        {
            if (grace == KeyCapabilities.UntilNewKeyFirstUsed)
            {
                return new GraceChoice(grace, "Until the new key is first used (at most 7 days)",
                    "until the new key is first used (at most 7 days, then 1 hour after that first use)");
            }

            // "1 hour", "24 hours", "7 days": whole days from two days up.
            var duration = grace.TotalHours < 48 || grace.TotalHours % 24 != 0
                ? Plural((int)grace.TotalHours, "hour")
                : Plural((int)grace.TotalDays, "day");
            return new GraceChoice(grace, $"In {duration}", duration);
        }

        private static string Plural(int count, string unit) => count == 1 ? $"1 {unit}" : $"{count} {unit}s";
    }
}
