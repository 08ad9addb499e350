// Small enhancements shared by every page. No build step: plain ES2017.
(function () {
  "use strict";
  var toggle = document.querySelector(".nav-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // The member menu (a <details>): closed by Escape and by a click elsewhere.
  var account = document.querySelector("[data-nav-account]");
  if (account) {
    document.addEventListener("click", function (event) {
      if (account.open && !account.contains(event.target)) { account.open = false; }
    });
    account.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && account.open) {
        account.open = false;
        account.querySelector("summary").focus();
      }
    });
  }
  // The Content-Security-Policy refuses inline handlers and style attributes: what they did is
  // here. A <select data-autosubmit> sends its form when it changes.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () {
      select.form.submit();
    });
  });
  // A form sent back with errors opens on its summary (role=alert, tabindex=-1): the focus goes
  // there so a keyboard or screen-reader user hears what to correct; its links lead to the fields.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
  // Bar charts: <span data-width="42"> is 42 % wide.
  document.querySelectorAll("[data-width]").forEach(function (bar) {
    var width = parseFloat(bar.getAttribute("data-width"));
    if (!isNaN(width)) {
      bar.style.width = Math.max(0, Math.min(100, width)) + "%";
    }
  });
})();
