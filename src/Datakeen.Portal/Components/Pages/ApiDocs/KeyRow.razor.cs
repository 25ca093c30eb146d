using Datakeen.Portal.ApiKeys;
using Datakeen.Portal.Usage;
using Datakeen.Portal.Workspaces;
using Datakeen.Portal.Components.Auth;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// One key of one environment: masked value, reveal/hide, copy, rotate, dates, a leak alert, usage over the
// last 30 days, and any older key of the same kind still inside its rotation grace period. The plaintext lives
// in this component only between a click on the eye and the next hide (or the key changing).
public partial class KeyRow
{
    // The icons of the row's buttons (MudBlazor's Material icons, drawn by the row itself): one shared markup string
    // each, so a row's render tree holds a reference, not a copy.
    private static readonly MarkupString RevealIcon = Icon(Icons.Material.Filled.Visibility);
    private static readonly MarkupString HideIcon = Icon(Icons.Material.Filled.VisibilityOff);
    private static readonly MarkupString CopyIcon = Icon(Icons.Material.Filled.ContentCopy);
    private static readonly MarkupString RotateIcon = Icon(Icons.Material.Filled.Autorenew);

    // Also the activity bar's (inside the row, so the row's icon rule applies).
    internal static MarkupString Icon(string svgContent) =>
        new($"<svg class=\"key-row__icon\" viewBox=\"0 0 24 24\" aria-hidden=\"true\" focusable=\"false\">{svgContent}</svg>");

    private string? _plaintext;
    private Guid _plaintextKeyId;
    private bool _busy;
    private KeyUsageSeries? _chartFor;
    private List<MudBlazor.ChartSeries<double>> _chartSeries = [];
    private string[] _chartLabels = [];

    [Inject] private IApiKeyManager Keys { get; set; } = default!;
    [Inject] private ClipboardCopier Clipboard { get; set; } = default!;
    [Inject] private IDialogService Dialogs { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [Inject] private TimeProvider Time { get; set; } = default!;
    [Inject] private NavigationManager Navigation { get; set; } = default!;
    [Inject] private Datakeen.Portal.Components.Layout.IslandsRendered Islands { get; set; } = default!;

    // The workspace of the tab and the caller, from the tab's state (KeyIsland).
    [Parameter, EditorRequired] public WorkspaceContext Workspace { get; set; } = default!;

    // Whether this row's rotation dialog is open: its island's, which persists it across a rolling restart.
    [Parameter] public RotateKeyDialogState RotationDialog { get; set; } = new();

    public bool RotationDialogOpen => RotationDialog.Open;

    // The key as the server sees it for this caller, with what they may do with it (Key.Capabilities).
    [Parameter, EditorRequired] public ApiKeyView Key { get; set; } = default!;
    [Parameter] public IReadOnlyList<ApiKeyView> ExpiringKeys { get; set; } = [];

    // Requests per day over the last 30 days, loaded by the tab for all its keys at once (null while loading).
    [Parameter] public KeyUsageSeries? Usage { get; set; }

    // Raised when the key list may have changed (the server says a key is gone or can no longer be shown).
    [Parameter] public EventCallback OnKeysChanged { get; set; }

    // Raised with the answer of a rotation from this row's dialog: the tab applies it without reloading.
    [Parameter] public EventCallback<KeyRotationResult> OnRotated { get; set; }

    private bool IsSecret => Key.Kind == KeyKind.Secret;
    private bool IsRevealed => _plaintext is not null;
    private string KeyName => KeyLabels.KeyName(Key.Environment, Key.Kind);
    private string TestId => $"key-{KeyLabels.Slug(Key.Environment)}-{KeyLabels.Slug(Key.Kind)}";

    // "usage-test-secret", next to the row's "key-test-secret".
    private string UsageTestId => $"{KeyLabels.Slug(Key.Environment)}-{KeyLabels.Slug(Key.Kind)}";
    private string DisplayedValue => _plaintext ?? Key.MaskedValue;

    // The server decides (Key.Capabilities); the row renders its answer. Only Admins may rotate, so a
    // secret the caller may not rotate is one they may not see either.
    private bool CanRotate => Key.Capabilities.CanRotate;
    private bool MemberSeesMaskedOnly => IsSecret && !CanRotate;
    private bool NoLongerRevealable => IsSecret && CanRotate && !Key.Capabilities.CanReveal && !IsRevealed;
    private bool CanRevealOrCopy => Key.Capabilities.CanReveal || IsRevealed;
    private bool IsShownOnce => Key.Capabilities.ShownOnce;
    private DateTimeOffset Now => Time.GetUtcNow();

    // No lost clicks: the row's controls are enabled once its island is interactive.
    private bool Interactive => RendererInfo.IsInteractive;

    protected override void OnParametersSet()
    {
        // A rotation gives this row a different key, and a demoted admin is a member: in both cases
        // stop showing the plaintext that was revealed.
        if (_plaintext is not null && (_plaintextKeyId != Key.Id || MemberSeesMaskedOnly))
        {
            _plaintext = null;
        }

        // The chart's data only for a key with requests (the chart is not drawn otherwise): a row keeps it for the
        // life of the circuit.
        if (!ReferenceEquals(_chartFor, Usage) && Usage is { Total: > 0 })
        {
            _chartLabels = KeyUsageChart.Labels(Usage);
            _chartSeries = KeyUsageChart.Series(Usage);
            _chartFor = Usage;
        }
    }

    // Only web links are rendered as links (the URL comes from a third party).
    private static string? SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http" ? uri.AbsoluteUri : null;

    private async Task ToggleRevealAsync()
    {
        if (IsRevealed)
        {
            _plaintext = null;
            return;
        }

        var result = await RequestPlaintextAsync(KeyAccessPurpose.Reveal);
        if (result is { Outcome: KeyAccessOutcome.Ok, Plaintext: { } plaintext })
        {
            _plaintext = plaintext;
            _plaintextKeyId = Key.Id;
            await RefreshIfShownOnceAsync();
            return;
        }

        await ReportRefusalAsync(result);
    }

    private async Task CopyAsync()
    {
        // A "shown once" secret is revealed in the row first and copied from there: a clipboard write that
        // fails never spends the one reveal (the value stays on screen to copy by hand).
        if (IsShownOnce && !IsRevealed)
        {
            await ToggleRevealAsync();
            if (_plaintext is not null)
            {
                await Clipboard.CopyAsync(_plaintext);
            }
            return;
        }

        // Always ask the server, so the copy is authorised and audited like a reveal.
        var result = await RequestPlaintextAsync(KeyAccessPurpose.Copy);
        if (result is { Outcome: KeyAccessOutcome.Ok, Plaintext: { } plaintext })
        {
            await Clipboard.CopyAsync(plaintext);
            await RefreshIfShownOnceAsync();
            return;
        }

        // A Production secret revealed in this row has used its one reveal: copy what is on screen.
        if (result is { Outcome: KeyAccessOutcome.NoLongerRevealable } && _plaintext is not null)
        {
            await Clipboard.CopyAsync(_plaintext);
            return;
        }

        await ReportRefusalAsync(result);
    }

    // Null when the key service could not be reached (already reported).
    private async Task<KeyAccessResult?> RequestPlaintextAsync(KeyAccessPurpose purpose)
    {
        _busy = true;
        try
        {
            return await Keys.GetPlaintextAsync(Workspace.Id, Key.Id, purpose, Workspace.Actor);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Snackbar.Add("We couldn't reach the key service. Try again in a moment.", Severity.Error);
            return null;
        }
        finally
        {
            _busy = false;
        }
    }

    // A Production secret's one reveal is now used: reload so the card says so (a shown value stays).
    private async Task RefreshIfShownOnceAsync()
    {
        if (IsShownOnce)
        {
            await OnKeysChanged.InvokeAsync();
        }
    }

    private async Task ReportRefusalAsync(KeyAccessResult? result)
    {
        if (result is null)
        {
            return;
        }

        // Every refusal of the key service carries the message to show.
        Snackbar.Add(result.Message ?? $"{result.Outcome}", Severity.Warning);
        if (result.Outcome is KeyAccessOutcome.SessionEnded or KeyAccessOutcome.ReauthenticationRequired)
        {
            SignInRedirect.Send(Navigation, reauthenticate: result.Outcome == KeyAccessOutcome.ReauthenticationRequired);
            return;
        }

        if (result.Outcome is KeyAccessOutcome.NoLongerRevealable or KeyAccessOutcome.NotFound)
        {
            // The card is out of date: show the key's real state.
            await OnKeysChanged.InvokeAsync();
        }
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        // A dialog brought back by a resumed circuit (KeyIsland) opens again once every island of the page has
        // rendered in this circuit (IslandsRendered): islands start in any order, a dialog asked for before the
        // provider is never rendered, and one drawn before another island's first render can reuse an event handler
        // number that island still holds in the browser from the previous circuit. It stays "open" meanwhile, so a
        // further hand-off persists it.
        if (RotationDialog.Reopen && RendererInfo.IsInteractive)
        {
            RotationDialog.Reopen = false;
            if (!CanRotate)
            {
                RotationDialog.Open = false;
                return;
            }
            await Islands.All;
            await OpenRotateDialogAsync();
        }
    }

    private async Task OpenRotateDialogAsync()
    {
        var parameters = new DialogParameters<RotateKeyDialog>
        {
            { d => d.Workspace, Workspace },
            { d => d.Key, Key },
            { d => d.OnRotated, EventCallback.Factory.Create<KeyRotationResult>(this, result => OnRotated.InvokeAsync(result)) },
        };
        var options = new DialogOptions
        {
            MaxWidth = MaxWidth.Small,
            FullWidth = true,
            // A click beside the dialog must not lose a new key that is shown only once.
            BackdropClick = false,
        };
        RotationDialog.Open = true;
        var dialog = await Dialogs.ShowAsync<RotateKeyDialog>($"Rotate {KeyName}?", parameters, options);
        await dialog.Result;
        RotationDialog.Open = false;
    }
}
