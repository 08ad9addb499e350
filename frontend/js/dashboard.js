// The member's dashboard, live: a new message, a read (another tab, a colleague) or a catch-up
// redraws its "À faire maintenant" and "Messages non lus" cards from the server's page (the
// same template, fetched again: nothing is drawn twice). The page is the heaviest a member
// asks for, and a busy company's chat sends events by the second: several events in a row
// give one fetch, at most one every MIN_GAP_MS (the last event is never dropped, only
// delayed), and a tab out of sight fetches nothing until it is shown again.
(function () {
  "use strict";
  var rt = window.BourseRealtime;
  var cards = document.querySelectorAll("[data-dash-live]");
  if (!rt || !cards.length || !window.fetch || !window.DOMParser) { return; }
  var QUIET_MS = 300;
  var MIN_GAP_MS = 5000;
  var timer = null;
  var stale = false;
  var lastFetch = -Infinity;

  function redraw(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    cards.forEach(function (card) {
      var fresh = doc.querySelector('[data-dash-live="' + card.getAttribute("data-dash-live") + '"]');
      if (fresh) { card.replaceChildren.apply(card, Array.prototype.slice.call(fresh.childNodes)); }
    });
  }

  function fetchNow() {
    timer = null;
    if (document.hidden) { stale = true; return; }
    stale = false;
    lastFetch = Date.now();
    fetch(location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html) { redraw(html); } })
      .catch(function () {});
  }

  function refresh() {
    if (timer) { return; }
    var wait = Math.max(QUIET_MS, lastFetch + MIN_GAP_MS - Date.now());
    timer = window.setTimeout(fetchNow, wait);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && stale) { refresh(); }
  });
  rt.on("message.new", refresh);
  rt.on("read", function (data) { if (data.company === rt.companyId) { refresh(); } });
  rt.on("catchup", refresh);
})();
