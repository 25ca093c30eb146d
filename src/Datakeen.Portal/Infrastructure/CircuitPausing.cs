namespace Datakeen.Portal.Infrastructure;

// One circuit about to be paused by its stopping instance (Hosting/CircuitHandoff); scoped, one per circuit. Before
// the tab is asked to pause, what registered here runs: the islands' providers close the open dialogs
// (InteractiveProviders), so that the browser drops the dialogs' event handlers while the circuit still runs.
// Why: a resumed circuit numbers its event handlers from 1 again, and Blazor's resume clears the islands' old markup
// but left an open dialog's handlers registered in the browser; on a tab's second hand-off the reopened dialog got
// the same numbers, the browser refused the render ("Event 15 is already tracked") and the circuit ended
// (docs/benchmarks.md, "Issue 21, fourth stop"). Components that reopen a dialog after a resume read Requested.
public sealed class CircuitPausing
{
    private readonly List<Func<Task>> _preparations = [];

    // The instance is handing this circuit off: a dialog closed from now on is to be reopened where it resumes.
    public bool Requested { get; private set; }

    // prepare runs on the caller's terms (a component passes its InvokeAsync); disposing the result unregisters it.
    public IDisposable OnPausing(Func<Task> prepare)
    {
        lock (_preparations)
        {
            _preparations.Add(prepare);
        }
        return new Registration(this, prepare);
    }

    internal async Task PrepareAsync()
    {
        Requested = true;
        Func<Task>[] preparations;
        lock (_preparations)
        {
            preparations = [.. _preparations];
        }
        foreach (var prepare in preparations)
        {
            await prepare();
        }
    }

    private sealed class Registration(CircuitPausing owner, Func<Task> prepare) : IDisposable
    {
        public void Dispose()
        {
            lock (owner._preparations)
            {
                owner._preparations.Remove(prepare);
            }
        }
    }
}
