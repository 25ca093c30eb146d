using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Auth;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// Confirms a rotation, performs it, then shows the new key once with a copy button.
public partial class RotateKeyDialog
{
    public static readonly IReadOnlyList<GraceChoice> GraceChoices =
    [
        new(TimeSpan.Zero, "Immediately", ""),
        new(TimeSpan.FromHours(1), "In 1 hour", "1 hour"),
        new(TimeSpan.FromHours(24), "In 24 hours", "24 hours"),
        new(TimeSpan.FromDays(7), "In 7 days", "7 days"),
    ];

    private TimeSpan _grace = TimeSpan.Zero;
    private bool _busy;
    private string? _error;
    private string? _newPlaintext;

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;

    [Inject] private IApiKeyManager Keys { get; set; } = default!;
    [Inject] private ClipboardCopier Clipboard { get; set; } = default!;

    [Parameter, EditorRequired] public Guid WorkspaceId { get; set; }
    [Parameter, EditorRequired] public Actor Actor { get; set; } = default!;
    [Parameter, EditorRequired] public ApiKeyView Key { get; set; } = default!;

    // Raised after a successful (or refused as stale) rotation so the card reloads behind the dialog.
    [Parameter] public EventCallback OnRotated { get; set; }

    private string KeyName => KeyLabels.KeyName(Key.Environment, Key.Kind);
    private bool IsDone => _newPlaintext is not null;
    private bool HasFailed => _error is not null;
    private bool IsShownOnce => Key.Environment == KeyEnvironment.Production && Key.Kind == KeyKind.Secret;

    private string Consequence => _grace == TimeSpan.Zero
        ? "The current key stops working immediately; update every integration that uses it."
        : $"The current key keeps working for {GraceChoices.First(c => c.Grace == _grace).Duration}, "
          + "then stops; update every integration that uses it before then.";

    private async Task RotateAsync()
    {
        _busy = true;
        try
        {
            TimeSpan? grace = _grace == TimeSpan.Zero ? null : _grace;
            var result = await Keys.RotateAsync(WorkspaceId, Key.Id, grace, Actor);
            if (result.Outcome == KeyRotationOutcome.Rotated && result.NewPlaintext is not null)
            {
                _newPlaintext = result.NewPlaintext;
                await OnRotated.InvokeAsync();
                return;
            }

            _error = result.Message ?? DefaultMessage(result.Outcome);
            if (result.Outcome is KeyRotationOutcome.Stale or KeyRotationOutcome.NotFound)
            {
                await OnRotated.InvokeAsync();
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

    private static string DefaultMessage(KeyRotationOutcome outcome) => outcome switch
    {
        KeyRotationOutcome.Stale => "This key was already rotated (in another tab or by another admin). Nothing was changed.",
        KeyRotationOutcome.Forbidden => "Only admins can rotate keys.",
        KeyRotationOutcome.NotFound => "This key no longer exists. Nothing was changed.",
        KeyRotationOutcome.InvalidGracePeriod => "This grace period is not allowed. Nothing was changed.",
        _ => "The key could not be rotated.",
    };

    public sealed record GraceChoice(TimeSpan Grace, string Label, string Duration);
}
