using Datakeen.Portal.Credits;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// The Test credits the tab loaded, handed to the Test card's TestCredits by reference: when only the credits
// change, TestCredits re-renders alone (the tab, its cards and key rows do not).
public sealed class TestCreditsState
{
    public CreditView? View { get; private set; }

    // Raised on the renderer's dispatcher (the tab sets the view there).
    public event Action? Changed;

    // Views shared by the workspace's tabs (CreditViews) are the same instance while nothing changed: no render.
    public void Set(CreditView? view)
    {
        if (Equals(view, View))
        {
            return;
        }

        View = view;
        Changed?.Invoke();
    }
}
