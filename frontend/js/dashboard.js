// The member's dashboard, live: a new message, a read (another tab, a colleague) or a catch-up
// redraws its "À faire maintenant" and "Messages non lus" cards from the server's page (the
// same template, fetched again: nothing is drawn twice). Several events in a row: one fetch.
(function () {
  "use strict";
  var rt = window.BourseRealtime;
  var cards = document.querySelectorAll("[data-dash-live]");
  if (!rt || !cards.length || !window.fetch || !window.DOMParser) { return; }
  var timer = null;

  function refresh() {
    if (timer) { return; }
    timer = window.setTimeout(function () {
      timer = null;
      fetch(location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (html) {
          if (!html) { return; }
          var doc = new DOMParser().parseFromString(html, "text/html");
          cards.forEach(function (card) {
            var fresh = doc.querySelector('[data-dash-live="' + card.getAttribute("data-dash-live") + '"]');
            if (fresh) { card.replaceChildren.apply(card, Array.prototype.slice.call(fresh.childNodes)); }
          });
        })
        .catch(function () {});
    }, 300);
  }

  rt.on("message.new", refresh);
  rt.on("read", function (data) { if (data.company === rt.companyId) { refresh(); } });
  rt.on("catchup", refresh);
})();
