// One WebSocket per tab for every real-time event of the user's company (messages, typing,
// read marks, notifications). Reconnects with backoff; pages listen through
// window.BourseRealtime.on(type, fn) and catch up over HTTP on "open" and on "catchup" (the
// database is the truth). Live delivery is never silently incomplete:
// - every event but typing carries "seq", +1 per company ("to": "user": +1 per user): a number
//   skipped means an event was lost, a number lower than the last one that the server's
//   counter restarted; either way "catchup" is emitted at once;
// - the server's heartbeat says whether its channel layer works and the newest number: "down"
//   makes the pages poll over HTTP ("catchup" every few seconds) until it says "up" again;
// - no frame at all for three heartbeats: the socket is dead, it is replaced;
// - closed with 4401 or 4403 (not logged in, or rights ended): the page is reloaded, to show
//   what the user may now see.
// Badges: a new message or notification adds one at once; a read anywhere (another tab, a
// colleague: "read" / "notification.read" of the user's company) and every catch-up fetch the
// counts from the server, so every tab ends up showing the same numbers.
(function () {
  "use strict";
  if (!("WebSocket" in window)) { return; }
  var script = document.currentScript;
  var companyId = script && script.dataset.company ? parseInt(script.dataset.company, 10) : null;
  var unreadUrl = script ? script.dataset.unreadUrl : null;
  var listeners = {};
  var socket = null;
  var attempt = 0;
  var openedOnce = false;
  var stopped = false;
  var retryTimer = null;
  var lastSeq = {};             // "company" | "user" -> last number seen
  var catchUpTimer = null;
  var pollTimer = null;
  var layerDown = false;
  var lastFrameAt = 0;
  var HEARTBEAT_MS = 10000;
  var POLL_MS = 3000;

  function on(type, fn) {
    (listeners[type] = listeners[type] || []).push(fn);
  }

  function emit(type, data) {
    (listeners[type] || []).slice().forEach(function (fn) {
      try { fn(data); } catch (err) { window.console && console.error(err); }
    });
  }

  function socketUrl() {
    return (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/";
  }

  function connect() {
    retryTimer = null;
    try {
      socket = new WebSocket(socketUrl());
    } catch (err) {
      scheduleReconnect();
      return;
    }
    socket.addEventListener("open", function () {
      var reconnected = openedOnce;
      openedOnce = true;
      attempt = 0;
      lastFrameAt = Date.now();
      lastSeq = {};  // a new socket: numbers are followed from its first event
      emit("open", { reconnected: reconnected });
      if (reconnected) { refreshUnread(); }
    });
    socket.addEventListener("message", function (event) {
      var data;
      lastFrameAt = Date.now();
      try { data = JSON.parse(event.data); } catch (err) { return; }
      if (!data || typeof data.type !== "string") { return; }
      if (data.type === "heartbeat") { heartbeat(data); return; }
      if (typeof data.seq === "number") { follow(data.to === "user" ? "user" : "company", data.seq, true); }
      handle(data);
      emit(data.type, data);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      emit("close", { code: event.code });
      if (event.code === 4401 || event.code === 4403) {
        stopped = true;
        window.setTimeout(function () { location.reload(); }, 500);
        return;
      }
      scheduleReconnect();
    });
  }

  // --- Nothing missed ------------------------------------------------------------------------
  // `numbered`: the number is an event's (the last one + 1 expected); otherwise a heartbeat's
  // newest number (the last one expected). Anything else: catch up. Events of two server
  // processes may arrive out of order: at worst one catch-up too many.
  function follow(stream, seq, numbered) {
    var last = lastSeq[stream];
    if (last !== undefined && seq !== (numbered ? last + 1 : last)) { catchUpSoon(); }
    lastSeq[stream] = seq;
  }

  // "missed" is emitted at once, before the event that showed the gap is handled: a page notes
  // what it had seen until then, and its catch-up starts there (the event's own message, added
  // meanwhile, must not move it past the missing one). "catchup" follows, once per burst.
  function catchUpSoon() {
    emit("missed", {});
    if (catchUpTimer) { return; }
    catchUpTimer = window.setTimeout(function () {
      catchUpTimer = null;
      refreshUnread();
      emit("catchup", {});
    }, 0);
  }

  function heartbeat(data) {
    var down = data.layer === "down";
    if (down && !layerDown) {
      layerDown = true;
      emit("layer", { up: false });
      pollTimer = window.setInterval(catchUpSoon, POLL_MS);
    } else if (!down && layerDown) {
      layerDown = false;
      window.clearInterval(pollTimer);
      pollTimer = null;
      emit("layer", { up: true });
      lastSeq = {};  // numbers may have restarted with Redis: follow the new ones
      catchUpSoon();
    }
    if (typeof data.seq === "number") { follow("company", data.seq, false); }
    if (typeof data.user_seq === "number") { follow("user", data.user_seq, false); }
  }

  // A socket that hears nothing for three heartbeats is dead (a network that dropped it
  // silently): replace it.
  window.setInterval(function () {
    if (isOpen() && Date.now() - lastFrameAt > 3 * HEARTBEAT_MS) {
      socket.close();
    }
  }, HEARTBEAT_MS);

  function scheduleReconnect() {
    if (stopped || retryTimer) { return; }
    // 0.5 s, 1 s, 2 s ... up to 30 s, with jitter so a restarted server is not stampeded.
    var delay = Math.min(30000, 500 * Math.pow(2, attempt)) * (0.5 + Math.random() / 2);
    attempt += 1;
    retryTimer = window.setTimeout(connect, delay);
  }

  function isOpen() {
    return !!socket && socket.readyState === WebSocket.OPEN;
  }

  function send(payload) {
    if (!isOpen()) { return false; }
    socket.send(JSON.stringify(payload));
    return true;
  }

  // --- Badges --------------------------------------------------------------------------------
  function setBadge(el, n) {
    if (!el) { return; }
    el.textContent = String(n);
    el.hidden = n <= 0;
    updateMenuDot();
  }

  function badgeCount(selector) {
    var el = document.querySelector(selector);
    return el ? parseInt(el.textContent, 10) || 0 : 0;
  }

  // On a phone the badges hide in the closed menu: a dot on the "Menu" button (also rendered by
  // base.html at page load) shows while there are unread messages or notifications.
  function updateMenuDot() {
    var toggle = document.querySelector(".nav-toggle");
    if (!toggle) { return; }
    var dot = toggle.querySelector(".nav-toggle-badge");
    var show = badgeCount("[data-unread-total]") > 0 || badgeCount("[data-notification-count]") > 0;
    if (show && !dot) {
      dot = document.createElement("span");
      dot.className = "badge nav-toggle-badge";
      dot.setAttribute("aria-hidden", "true");
      toggle.appendChild(document.createTextNode(" "));
      toggle.appendChild(dot);
    } else if (!show && dot) {
      if (dot.previousSibling && dot.previousSibling.nodeType === 3 && !dot.previousSibling.nodeValue.trim()) {
        dot.previousSibling.remove();
      }
      dot.remove();
    }
  }

  function bumpBadge(selector) {
    document.querySelectorAll(selector).forEach(function (el) {
      setBadge(el, (parseInt(el.textContent, 10) || 0) + 1);
    });
  }

  function refreshUnread() {
    if (!unreadUrl || !window.fetch) { return; }
    fetch(unreadUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        // Every unread-messages badge of the page (the menu's, the dashboard's).
        document.querySelectorAll("[data-unread-total]").forEach(function (el) { setBadge(el, data.total); });
        if (typeof data.notifications === "number") {
          setBadge(document.querySelector("[data-notification-count]"), data.notifications);
        }
      })
      .catch(function () {});
  }

  function isBeingRead(conversationId) {
    return api.activeConversation === conversationId && document.visibilityState === "visible";
  }

  function toast(text, url) {
    var box = document.querySelector(".toast-stack");
    if (!box) {
      box = document.createElement("div");
      box.className = "toast-stack";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    var item = document.createElement(url ? "a" : "div");
    item.className = "toast";
    item.textContent = text;
    if (url) { item.href = url; }
    box.appendChild(item);
    window.setTimeout(function () { item.remove(); }, 7000);
  }

  function handle(data) {
    if (data.type === "message.new" && data.message) {
      var fromPartner = data.message.company && data.message.company.id !== companyId;
      if (fromPartner && !isBeingRead(data.message.conversation)) {
        bumpBadge("[data-unread-total]");
      }
    } else if ((data.type === "read" || data.type === "notification.read") && data.company === companyId) {
      // Read in another tab, or by a colleague: the counts come from the server.
      refreshUnread();
    } else if (data.type === "notification") {
      bumpBadge("[data-notification-count]");
      var info = data.data || {};
      if (info.title) { toast(info.title, info.url || null); }
    }
  }

  window.addEventListener("pagehide", function () {
    stopped = true;
    if (socket) { socket.close(); }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && stopped) { stopped = false; connect(); }
  });

  var api = {
    on: on,
    send: send,
    isOpen: isOpen,
    isLive: function () { return isOpen() && !layerDown; },
    companyId: companyId,
    activeConversation: null,
    refreshUnread: refreshUnread,
    toast: toast
  };
  window.BourseRealtime = api;
  connect();
})();
