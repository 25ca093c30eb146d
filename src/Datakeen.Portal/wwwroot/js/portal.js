// Small helpers called through JS interop (no inline scripts: the CSP forbids them).
window.datakeen = {
  copyText: async function (text) {
    await navigator.clipboard.writeText(text);
    return true;
  }
};

// Saves a file produced by the server (the audit log's CSV export) from a DotNetStreamReference.
window.datakeen.download = async function (name, type, streamRef) {
  const blob = new Blob([await streamRef.arrayBuffer()], { type: type });
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  URL.revokeObjectURL(url);
};

// Times (Components/Shared/FriendlyTime.cs): <time datetime data-dk-time> shows a relative time; its title, and
// the tooltip shown on focus (app.css), become the full timestamp in the viewer's own time zone.
window.datakeen.times = (function () {
  const format = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "long" });
  function localize(root) {
    root.querySelectorAll("time[data-dk-time]").forEach(function (time) {
      const at = new Date(time.getAttribute("datetime"));
      if (isNaN(at) || time.dataset.dkLocal === time.getAttribute("datetime")) return;
      time.dataset.dkLocal = time.getAttribute("datetime");
      const full = format.format(at);
      time.title = full;
      time.dataset.dkFull = full;
    });
  }
  function start() {
    localize(document);
    new MutationObserver(function () { localize(document); })
      .observe(document.body, { childList: true, subtree: true, attributes: true, attributeFilter: ["datetime"] });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
  return { localize: localize };
})();
