// Drives the reconnect notice (Components/Layout/ReconnectNotice.razor). Blazor sets a class per state on the
// dialog and raises "components-reconnect-state-changed": show/retrying while it reconnects, failed when it gave up,
// rejected when the server no longer knows the circuit (then only "Reload" helps), hide when back.
const notice = document.getElementById("components-reconnect-modal");

if (notice) {
  notice.addEventListener("components-reconnect-state-changed", event => {
    const state = event.detail.state;
    show(state);
    if (state === "hide") {
      if (notice.open) notice.close();
      return;
    }
    if (!notice.open) notice.showModal();
    if (state === "failed") {
      document.addEventListener("visibilitychange", retryWhenVisible);
    }
  });
  // Escape must not hide the notice while the page cannot work.
  notice.addEventListener("cancel", event => event.preventDefault());
  document.getElementById("components-reconnect-button")?.addEventListener("click", retry);
  document.getElementById("dk-reconnect-reload")?.addEventListener("click", () => location.reload());
}

async function retry() {
  document.removeEventListener("visibilitychange", retryWhenVisible);
  try {
    // true: back; false: the server was reached but the circuit is gone.
    if (!(await Blazor.reconnect())) {
      show("rejected");
    }
  } catch {
    document.addEventListener("visibilitychange", retryWhenVisible);
  }
}

async function retryWhenVisible() {
  if (document.visibilityState === "visible") {
    await retry();
  }
}

// Shows the parts of the notice meant for this state: reconnecting, failed (Retry, Reload) or gone (Reload only).
function show(state) {
  const kind = state === "show" || state === "retrying" ? "trying" : state === "failed" ? "failed" : "gone";
  notice.dataset.state = state;
  for (const part of notice.querySelectorAll("[data-when]")) {
    part.hidden = !part.dataset.when.split(" ").includes(kind);
  }
}
