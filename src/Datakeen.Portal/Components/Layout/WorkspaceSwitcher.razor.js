// Puts the focus on the first element matching the selector, as a click or Tab leaves it: used when a control
// that had the focus is replaced by the same control rendered by its MudBlazor component (the switcher's menu on
// the first open). Unlike the framework's focusBySelector, it adds no tabindex to the element.
export function focus(selector) {
  const element = document.querySelector(selector);
  if (element) {
    element.focus({ preventScroll: true });
  }
}
