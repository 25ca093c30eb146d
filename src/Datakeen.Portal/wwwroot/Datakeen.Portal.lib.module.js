// The portal's JavaScript initializer: blazor.web.js loads it and calls afterWebStarted once the page's scripts run.
// It gives the statically rendered page the little behaviour it has without a circuit: the theme toggle, copying a
// base URL or a code sample, opening the sessions and invitations pages, the code samples' language tabs and environment switch, and the workspace menu's keys.
// Those controls are rendered disabled (data-dk-script-control) and enabled here, after every enhanced navigation
// too: a click before the script runs is never lost.
let blazor;

export function afterWebStarted(api) {
  blazor = api;
  document.addEventListener("click", onClick);
  document.addEventListener("keydown", onKeyDown);
  blazor.addEventListener("enhancedload", enableScriptControls);
  enableScriptControls();
}

function enableScriptControls() {
  for (const control of document.querySelectorAll("[data-dk-script-control]")) {
    control.disabled = false;
  }
}

// A year, on this site only; read by the server while rendering (PortalTheme, CodeSamples).
function remember(name, value) {
  document.cookie = `${name}=${encodeURIComponent(value)}; path=/; max-age=31536000; samesite=lax`;
}

function onClick(event) {
  const target = event.target instanceof Element ? event.target : null;
  const control = target?.closest("[data-dk-script-control]");
  if (control && !control.disabled) {
    if (control.hasAttribute("data-dk-theme-toggle")) {
      remember("datakeen-theme", control.getAttribute("data-dk-theme-toggle"));
      // The server renders the page again in the chosen theme; enhanced navigation patches it in place (islands
      // keep their state).
      blazor.navigateTo(location.href, { replaceHistoryEntry: true });
    } else if (control.hasAttribute("data-dk-open")) {
      blazor.navigateTo(control.getAttribute("data-dk-open"));
    } else if (control.hasAttribute("data-dk-copy")) {
      copy(control.getAttribute("data-dk-copy"));
    } else if (control.hasAttribute("data-dk-copy-sample")) {
      const sample = control.closest("[role=tabpanel]")?.querySelector("pre:not([hidden])");
      if (sample) {
        copy(sample.textContent);
      }
    } else if (control.hasAttribute("data-dk-sample-language")) {
      selectLanguage(control, false);
    } else if (control.hasAttribute("data-dk-sample-environment")) {
      selectEnvironment(control);
    }
    return;
  }

  // A click outside an open workspace menu closes it, as a menu does.
  for (const menu of document.querySelectorAll("details[data-dk-menu][open]")) {
    if (!menu.contains(target)) {
      menu.open = false;
    }
  }
}

async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    say("Copied");
  } catch {
    say("Couldn't copy to the clipboard. Select the text and copy it by hand.");
  }
}

// The layout's polite status region (MainLayout): what a snackbar would say.
function say(message) {
  const status = document.getElementById("dk-status");
  if (!status) {
    return;
  }
  status.textContent = message;
  status.classList.add("dk-status--shown");
  clearTimeout(say.timer);
  say.timer = setTimeout(() => {
    status.classList.remove("dk-status--shown");
    status.textContent = "";
  }, 3000);
}

function selectLanguage(tab, focus) {
  const list = tab.closest("[role=tablist]");
  for (const other of list.querySelectorAll("[role=tab]")) {
    const selected = other === tab;
    other.setAttribute("aria-selected", selected ? "true" : "false");
    other.tabIndex = selected ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
  }
  if (focus) {
    tab.focus();
  }
  remember("datakeen-sample-language", tab.getAttribute("data-dk-sample-language"));
}

function selectEnvironment(button) {
  const samples = button.closest("[data-dk-samples]");
  const environment = button.getAttribute("data-dk-sample-environment");
  for (const other of samples.querySelectorAll("[data-dk-sample-environment]")) {
    other.setAttribute("aria-pressed", other === button ? "true" : "false");
  }
  for (const sample of samples.querySelectorAll("[data-dk-sample-for]")) {
    sample.hidden = sample.getAttribute("data-dk-sample-for") !== environment;
  }
  remember("datakeen-sample-environment", environment);
}

function onKeyDown(event) {
  const target = event.target instanceof Element ? event.target : null;
  const tab = target?.closest("[role=tab][data-dk-sample-language]");
  if (tab && !tab.disabled) {
    const tabs = [...tab.closest("[role=tablist]").querySelectorAll("[role=tab]")];
    const index = tabs.indexOf(tab);
    const next = { ArrowRight: (index + 1) % tabs.length, ArrowLeft: (index + tabs.length - 1) % tabs.length,
      Home: 0, End: tabs.length - 1 }[event.key];
    if (next !== undefined) {
      event.preventDefault();
      selectLanguage(tabs[next], true);
    }
    return;
  }

  const menu = target?.closest("details[data-dk-menu]");
  if (!menu) {
    return;
  }
  if (event.key === "Escape" && menu.open) {
    menu.open = false;
    menu.querySelector("summary").focus();
  } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    menu.open = true;
    const items = [...menu.querySelectorAll("[role=menuitem]")];
    const index = items.indexOf(document.activeElement);
    const next = event.key === "ArrowDown" ? (index + 1) % items.length : (index <= 0 ? items.length - 1 : index - 1);
    items[next]?.focus();
  }
}
