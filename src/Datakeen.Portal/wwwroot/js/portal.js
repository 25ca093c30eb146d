// Small helpers called through JS interop (no inline scripts: the CSP forbids them).
window.datakeen = {
  copyText: async function (text) {
    await navigator.clipboard.writeText(text);
    return true;
  }
};
