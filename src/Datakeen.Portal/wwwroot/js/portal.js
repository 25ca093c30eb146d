// Small helpers called through JS interop (no inline scripts: the CSP forbids them).
window.datakeen = {
  copyText: async function (text) {
    await navigator.clipboard.writeText(text);
    return true;
  },
  getTheme: function () {
    try { return localStorage.getItem("datakeen.theme"); } catch { return null; }
  },
  setTheme: function (value) {
    try { localStorage.setItem("datakeen.theme", value); } catch { /* private mode: not remembered */ }
  }
};
