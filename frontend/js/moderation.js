// Moderation queues: ask for the reason before sending an action that needs one, and confirm
// the heavy ones. The server checks again; this only saves a round trip.
(function () {
  "use strict";
  document.querySelectorAll("form.mod-action").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.hasAttribute("data-needs-reason")) return;
      var reason = form.querySelector("textarea[name=reason]");
      if (reason && !reason.value.trim()) {
        event.preventDefault();
        reason.setAttribute("aria-invalid", "true");
        reason.focus();
        var hint = form.querySelector(".mod-reason-hint");
        if (!hint) {
          hint = document.createElement("p");
          hint.className = "errorlist mod-reason-hint";
          hint.setAttribute("role", "alert");
          reason.insertAdjacentElement("afterend", hint);
        }
        hint.textContent = form.getAttribute("data-reason-message") || "Veuillez indiquer un motif.";
      }
    });
  });
})();
