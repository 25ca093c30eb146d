using Datakeen.Portal.ApiKeys;

namespace Datakeen.Portal.Components.Pages.ApiDocs;

// Whether one key's rotation dialog is open. Its key's island (KeyIsland, one per environment) owns it: the island
// persists it when the circuit pauses (a rolling restart hands the tab to another instance) and takes it back where the
// circuit resumes; the row opens and closes the dialog and says so here. The island, not the row, because a pause can
// come before the resumed tab has loaded its keys, when there is no row yet (a restart hands a tab off up to three
// times).
public sealed class RotateKeyDialogState
{
    // Open, or brought back by a resumed circuit and not reopened yet: what a pause persists.
    public bool Open { get; set; }

    // Brought back by a resumed circuit: the row opens the dialog again once it is interactive.
    public bool Reopen { get; set; }

    // The key of the persisted state: one per key of the tab (each environment's island holds two).
    public static string PersistenceKey(KeyEnvironment environment, KeyKind kind) =>
        $"rotation-dialog-open-{KeyLabels.Slug(environment)}-{KeyLabels.Slug(kind)}";
}
