// Starts Blazor (App.razor loads blazor.web.js with autostart="false") and keeps the tab alive across instances
// (docs/deploy.md, "Rolling restart"):
// - connection lost: retry at once, then every second, for as long as it takes; the notice
//   (Components/Layout/ReconnectNotice.razor) shows only when that has not worked within NoticeDelayMs;
// - the server no longer knows the circuit (its instance was killed) and has no state to resume: the page reloads
//   itself (same URL; the session cookie works on every instance), no click. The reload asks for the URL with a
//   one-off query parameter that the new page takes off again before Blazor starts: Chromium's HTTP cache lets only
//   one request for a URL wait for its response headers at a time, so the tabs of one browser on the same page
//   would otherwise reload one after another (20 tabs: the last one 10 s later; docs/benchmarks.md);
// - the instance is stopping: it asks the tab to pause (datakeenReconnect.handOff); Blazor hands the circuit's state
//   to the tab, which resumes it on another instance, or reloads when no instance can resume it. That is no lost
//   connection: the notice waits longer (HandOffNoticeDelayMs) before it says anything.
const NoticeDelayMs = 1500;
const HandOffNoticeDelayMs = 5000;
const ReloadParameter = "dk-reload";
// A hand-off that has not resumed the tab within this budget gives way to a reload: the tab then works again as after
// a SIGKILL (its transient state masked) instead of staying on a paused circuit while the resume never settles.
const ResumeBudgetMs = 10000;
const notice = document.getElementById("components-reconnect-modal");
let noticeTimer = 0;
let handingOff = false;

takeOffTheReloadParameter();
Blazor.start({
  circuit: {
    reconnectionOptions: {
      maxRetries: undefined,
      retryIntervalMilliseconds: attempt => (attempt === 0 ? 0 : 1000),
    },
  },
});

window.datakeenReconnect = {
  // Called by the stopping instance through JS interop: answer at once, pause after (the pause ends the call's connection).
  handOff: () => { setTimeout(handOff, 0); },
};

if (notice) {
  notice.addEventListener("components-reconnect-state-changed", event => {
    switch (event.detail.state) {
      case "hide":
        hideNotice();
        break;
      case "rejected":
        // Nothing to resume anywhere: a fresh page, on whichever instance answers.
        hideNotice();
        reloadThisTab();
        break;
      default:
        // show, retrying, paused, failed, resume-failed: still trying.
        showNoticeSoon();
    }
  });
  // Escape must not hide the notice while the page cannot work.
  notice.addEventListener("cancel", event => event.preventDefault());
  document.getElementById("dk-reconnect-reload")?.addEventListener("click", () => location.reload());
}

async function handOff() {
  if (handingOff) return;
  handingOff = true;
  try {
    if (await Blazor.pauseCircuit()) {
      await resumeElsewhere();
    }
    // Not paused (the connection was already down): Blazor's reconnection takes over.
  } catch {
    reloadThisTab();
  } finally {
    handingOff = false;
  }
}

// The stopping instance refuses new circuits (503), so a resume lands on another one; until one answers, try again.
async function resumeElsewhere() {
  const deadline = Date.now() + ResumeBudgetMs;
  for (;;) {
    await delay(100);
    try {
      const late = delay(Math.max(0, deadline - Date.now())).then(() => "late");
      if ((await Promise.race([Blazor.resumeCircuit(), late])) !== true) {
        reloadThisTab();
      }
      return;
    } catch {
      if (Date.now() >= deadline) {
        reloadThisTab();
        return;
      }
      await delay(750);
    }
  }
}

// A reload of this URL that does not queue behind the same URL's reload in the browser's other tabs: the URL with a
// one-off parameter, replacing this history entry. The page we leave remembers the URL, and the new page puts it back.
function reloadThisTab() {
  const url = new URL(location.href);
  const token = Math.random().toString(36).slice(2);
  url.searchParams.append(ReloadParameter, token);
  sessionStorage.setItem(ReloadParameter, JSON.stringify({ token, href: location.href }));
  location.replace(url.href);
}

function takeOffTheReloadParameter() {
  const saved = sessionStorage.getItem(ReloadParameter);
  if (!saved) return;
  sessionStorage.removeItem(ReloadParameter);
  try {
    const { token, href } = JSON.parse(saved);
    if (new URL(location.href).searchParams.get(ReloadParameter) === token) {
      history.replaceState(history.state, "", href);
    }
  } catch {
    // Not ours: leave the address as it is.
  }
}

function showNoticeSoon() {
  if (!notice || noticeTimer || notice.open) return;
  noticeTimer = setTimeout(() => {
    noticeTimer = 0;
    if (!notice.open) notice.showModal();
  }, handingOff ? HandOffNoticeDelayMs : NoticeDelayMs);
}

function hideNotice() {
  clearTimeout(noticeTimer);
  noticeTimer = 0;
  if (notice?.open) notice.close();
}

function delay(ms) {
  return new Promise(resolve => setTimeout(resolve, ms));
}
