namespace Datakeen.Portal.Components.Layout;

// Whether every interactive island of this circuit's page, MudBlazor's providers (InteractiveProviders) among them,
// has rendered once. Scoped: one per circuit. An island that draws something by itself as its circuit starts (KeyRow
// reopening a rotation dialog after a rolling restart) waits for this first, for two reasons:
// - MudBlazor's DialogService shows a dialog only to a provider already subscribed (the providers subscribe while they
//   render): a dialog asked for before that is never rendered;
// - a resumed circuit numbers its event handlers from 1 again, and blazor.web.js forgets the previous circuit's
//   handlers of an island only at that island's first render in the new circuit: a dialog drawn before every island
//   has rendered can take a number that an island not yet rendered still holds, and the browser refuses that render
//   batch ("Event N is already tracked"), which ends the circuit (docs/deploy.md, "Rolling restart").
// The islands start (Starting) in one go as the circuit adds its root components, before any of them has rendered;
// Rendered comes after the browser has applied the island's first render.
public sealed class IslandsRendered
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;
    private bool _providers;

    // Completes once the providers and every island started so far have rendered in this circuit.
    public Task All => _all.Task;

    // An island of this circuit starts (interactive only; once, before its first render).
    public void Starting() => _waiting++;

    // That island's first render in this circuit is in the browser (its OnAfterRender with firstRender).
    public void Rendered()
    {
        _waiting--;
        if (_waiting == 0 && _providers)
        {
            _all.TrySetResult();
        }
    }

    // The providers are one of the islands (InteractiveProviders), and the one the others cannot do without.
    internal void ProvidersRendered()
    {
        _providers = true;
        Rendered();
    }
}
