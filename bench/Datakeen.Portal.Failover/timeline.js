// Per-tab timeline of a failover (bench/Datakeen.Portal.Failover): added to every document of the bench's browser
// contexts before the page's own scripts. Records [event, epoch ms] in session storage, which outlives the reload;
// "document" starts each new document. Wraps WebSocket and fetch (the hub's negotiate) only to time them.
(() => {
  const key = "dk-timeline";
  const mark = (name, at) => {
    const list = JSON.parse(sessionStorage.getItem(key) ?? "[]");
    list.push([name, Math.round(at ?? Date.now())]);
    sessionStorage.setItem(key, JSON.stringify(list));
  };
  mark("document", performance.timeOrigin);
  const NativeSocket = window.WebSocket;
  const TracedSocket = function (...args) {
    const socket = new NativeSocket(...args);
    mark("ws-new");
    socket.addEventListener("open", () => mark("ws-open"));
    socket.addEventListener("close", () => mark("ws-close"));
    return socket;
  };
  TracedSocket.prototype = NativeSocket.prototype;
  Object.assign(TracedSocket, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
  window.WebSocket = TracedSocket;
  const nativeFetch = window.fetch;
  window.fetch = async (input, init) => {
    const traced = String(input?.url ?? input).includes("/negotiate");
    if (traced) mark("negotiate-start");
    try {
      const response = await nativeFetch(input, init);
      if (traced) mark("negotiate-" + response.status);
      return response;
    } catch (e) {
      if (traced) mark("negotiate-error");
      throw e;
    }
  };
  document.addEventListener("components-reconnect-state-changed", e => mark("state-" + e.detail.state), true);
  window.addEventListener("pagehide", () => mark("pagehide"));
  document.addEventListener("DOMContentLoaded", () => {
    const navigation = performance.getEntriesByType("navigation")[0];
    if (navigation) {
      mark("response-start", performance.timeOrigin + navigation.responseStart);
      mark("response-end", performance.timeOrigin + navigation.responseEnd);
    }
    mark("dom-content-loaded");
    let eyeSeen = false, secretSeen = false;
    const lookForTheEye = () => {
      const eye = document.querySelector('button[aria-label="Reveal test secret key"]');
      if (!eyeSeen && eye && !eye.disabled) { eyeSeen = true; mark("eye-enabled"); }
      const secret = document.querySelector('[data-testid="key-test-secret"]')?.textContent.trim() ?? "";
      if (eyeSeen && !secretSeen && /^dk_test_sk_[0-9A-Za-z]{38}$/.test(secret)) { secretSeen = true; mark("secret-shown"); }
    };
    document.addEventListener("click", e => {
      if (e.target.closest?.('button[aria-label="Reveal test secret key"]')) mark("eye-click");
    }, true);
    new MutationObserver(lookForTheEye).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["disabled"] });
    lookForTheEye();
  });
  window.addEventListener("load", () => mark("load"));
  // blazor.web.js sets window.Blazor, then its start function: time the call reconnect.js makes, and its promise.
  let blazor;
  Object.defineProperty(window, "Blazor", {
    configurable: true,
    get: () => blazor,
    set: value => {
      blazor = value;
      if (!value || typeof value !== "object") return;
      let start;
      Object.defineProperty(value, "start", {
        configurable: true,
        get: () => start && ((...args) => {
          mark("blazor-start");
          const started = start.apply(value, args);
          Promise.resolve(started).then(() => mark("blazor-started"));
          return started;
        }),
        set: original => { start = original; },
      });
    },
  });
})();
