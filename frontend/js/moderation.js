// Moderation queues: ask for the reason before sending an action that needs one (a common
// reason chosen or a text written), and tick several items for the bulk form. The server
// checks again; this only saves a round trip.
(function () {
  "use strict";
  function reasonGiven(form) {
    var chosen = form.querySelector("select[name=reason_id]");
    var text = form.querySelector("textarea[name=reason]");
    return (chosen && chosen.value) || (text && text.value.trim());
  }

  function needsReason(form, button) {
    if (form.id === "bulk-form") {
      var action = form.querySelector("select[name=action]");
      var needing = (form.getAttribute("data-needs-reason") || "").split(" ");
      return action && needing.indexOf(action.value) !== -1;
    }
    return button && button.hasAttribute("data-needs-reason");
  }

  document.querySelectorAll("form.mod-action").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!needsReason(form, event.submitter) || reasonGiven(form)) return;
      event.preventDefault();
      var reason = form.querySelector("select[name=reason_id]") || form.querySelector("textarea[name=reason]");
      if (!reason) return;
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
    });
  });

  var bulk = document.getElementById("bulk-form");
  if (!bulk) return;
  var boxes = document.querySelectorAll("input[type=checkbox][form=bulk-form]");
  var counter = bulk.querySelector("[data-checked-count]");
  function count() {
    var n = 0;
    boxes.forEach(function (box) { if (box.checked) n += 1; });
    if (counter) counter.textContent = String(n);
  }
  boxes.forEach(function (box) { box.addEventListener("change", count); });
  var all = bulk.querySelector("[data-check-all]");
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      count();
    });
  }
  count();
})();
