// Last of the app's scripts (app/pwa/assets.py lists them in order): every form not handled
// by an earlier one is locked while it is sent, and the setup pages' "Copy link" buttons.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
    form.dataset.submitting = "1";
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
      button.textContent = button.getAttribute("data-copied") || "Copied";
    });
  });
})();
