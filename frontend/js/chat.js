// Conversation page and inbox, live over window.BourseRealtime (realtime.js).
// Message bodies are only ever set with textContent: a "<script>" in a message is shown, never run.
// Without JavaScript, or with the socket down, the form still posts (plain HTTP); each message
// carries a client_id so a retry never stores it twice.
(function () {
  "use strict";
  var rt = window.BourseRealtime;

  function randomId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID().replace(/-/g, ""); }
    var out = "";
    for (var i = 0; i < 32; i++) { out += Math.floor(Math.random() * 16).toString(16); }
    return out;
  }

  // "25 novembre, 21:09" (with the year: "25 novembre 2026, 21:09"), as the server renders
  // date:"j F, H:i" / "j F Y, H:i": built from the parts, not the locale's own pattern ("à").
  function formatTime(iso, withYear) {
    var d = new Date(iso);
    if (isNaN(d.getTime()) || !window.Intl) { return ""; }
    var options = { day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (withYear) { options.year = "numeric"; }
    var parts = {};
    new Intl.DateTimeFormat(document.documentElement.lang || "fr", options)
      .formatToParts(d)
      .forEach(function (part) { parts[part.type] = part.value; });
    return parts.day + " " + parts.month + (withYear ? " " + parts.year : "") + ", " +
      parts.hour + ":" + parts.minute;
  }

  // --- Conversation page ---------------------------------------------------------------------
  function conversationPage(configEl) {
    var config = JSON.parse(configEl.textContent);
    var i18n = JSON.parse(document.getElementById("chat-i18n").textContent);
    var list = document.querySelector("[data-chat-messages]");
    var form = document.querySelector("[data-chat-form]");
    var typingEl = document.querySelector("[data-chat-typing]");
    var statusEl = document.querySelector("[data-chat-status]");
    var reportUrl = document.querySelector("[data-chat]").getAttribute("data-report-url");
    var seen = {};
    var pending = {};
    var lastId = 0;
    var catchUpFrom = null;
    var lastReadSent = 0;
    var partnerRead = config.partnerRead || 0;
    var typingTimer = null;
    var lastTypingSent = 0;

    Array.prototype.forEach.call(list.querySelectorAll("[data-message-id]"), function (li) {
      var id = parseInt(li.dataset.messageId, 10);
      seen[id] = true;
      lastId = Math.max(lastId, id);
    });
    if (!config.live || !rt) { return; }
    rt.activeConversation = config.conversation;

    function showStatus(text) {
      statusEl.textContent = text || "";
      statusEl.hidden = !text;
    }

    function buildItem(message) {
      var li = document.createElement("li");
      var mine = message.company && message.company.id === config.company;
      li.className = "chat-message " + (mine ? "is-mine" : "is-theirs");
      var meta = document.createElement("div");
      meta.className = "chat-meta";
      var who = document.createElement("strong");
      who.textContent = message.sender && message.sender.name ? message.sender.name : i18n.deleted;
      meta.appendChild(who);
      meta.appendChild(document.createTextNode(" · " + (message.company ? message.company.name : "") + " · "));
      var time = document.createElement("time");
      time.dateTime = message.created_at || "";
      time.textContent = message.created_at ? formatTime(message.created_at) : i18n.sending;
      meta.appendChild(time);
      var body = document.createElement("div");
      body.className = "chat-body";
      body.textContent = message.body;
      var read = document.createElement("span");
      read.className = "chat-read small";
      read.setAttribute("data-read", "");
      read.textContent = i18n.read;
      read.hidden = true;
      li.appendChild(meta);
      li.appendChild(body);
      li.appendChild(read);
      return li;
    }

    function setIdentity(li, message) {
      li.id = "m" + message.id;
      li.dataset.messageId = String(message.id);
      li.dataset.company = String(message.company.id);
      var time = li.querySelector("time");
      time.dateTime = message.created_at;
      time.textContent = formatTime(message.created_at);
    }

    // "⚑ Signaler" on the partner's messages and "⚑ Signaler la personne" for their sender, as
    // templates/moderation/_report_link.html renders them.
    function appendReportLink(meta, targetType, targetId, label) {
      var params = new URLSearchParams({
        target_type: targetType,
        target_id: String(targetId),
        next: location.pathname + location.search
      });
      var link = document.createElement("a");
      link.className = "report-link small";
      link.href = reportUrl + "?" + params.toString();
      link.rel = "nofollow";
      link.textContent = "⚑ " + label;
      meta.appendChild(document.createTextNode(" · "));
      meta.appendChild(link);
    }

    function addReportLink(li, message) {
      if (!reportUrl) { return; }
      var meta = li.querySelector(".chat-meta");
      appendReportLink(meta, "message", message.id, i18n.report);
      if (message.sender && message.sender.id) {
        appendReportLink(meta, "user", message.sender.id, i18n.reportPerson);
      }
    }

    function insertSorted(li, id) {
      var items = list.querySelectorAll("[data-message-id]");
      for (var i = items.length - 1; i >= 0; i--) {
        if (parseInt(items[i].dataset.messageId, 10) < id) {
          items[i].after(li);
          return;
        }
      }
      list.insertBefore(li, list.firstChild);
    }

    function add(message) {
      if (message.conversation !== config.conversation || seen[message.id]) { return; }
      seen[message.id] = true;
      var empty = list.querySelector("[data-chat-empty]");
      if (empty) { empty.remove(); }
      var placeholder = message.client_id && pending[message.client_id];
      if (placeholder) {
        delete pending[message.client_id];
        placeholder.remove();
      }
      var li = buildItem(message);
      setIdentity(li, message);
      if (message.company.id !== config.company) { addReportLink(li, message); }
      if (message.id > lastId) {
        list.appendChild(li);
        lastId = message.id;
      } else {
        insertSorted(li, message.id);
      }
      if (message.company.id !== config.company) {
        hideTyping();
        markRead(message.id);
      }
      updateReadMarker();
      li.scrollIntoView({ block: "end" });
    }

    function updateReadMarker() {
      var best = null;
      Array.prototype.forEach.call(list.querySelectorAll("[data-message-id]"), function (li) {
        var marker = li.querySelector("[data-read]");
        if (marker) { marker.hidden = true; }
        var id = parseInt(li.dataset.messageId, 10);
        if (parseInt(li.dataset.company, 10) === config.company && id <= partnerRead) { best = li; }
      });
      if (best) { best.querySelector("[data-read]").hidden = false; }
    }

    function markRead(id) {
      if (document.visibilityState !== "visible" || id <= lastReadSent) { return; }
      lastReadSent = id;
      var payload = { type: "read", conversation: config.conversation, up_to: id };
      if (!rt.send(payload)) {
        postJson(config.readUrl, { up_to: id }).catch(function () { lastReadSent = 0; });
      }
    }

    function hideTyping() {
      typingEl.hidden = true;
      if (typingTimer) { clearTimeout(typingTimer); typingTimer = null; }
    }

    function csrfToken() {
      var input = document.querySelector("input[name=csrfmiddlewaretoken]");
      return input ? input.value : "";
    }

    function postJson(url, payload) {
      return fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" },
        body: JSON.stringify(payload)
      });
    }

    // Everything stored after `lastId`, oldest first (after a reconnect, or on first open);
    // after a gap, everything after what the page had seen when the gap showed (catchUpFrom).
    function catchUp() {
      var from = catchUpFrom === null ? lastId : Math.min(catchUpFrom, lastId);
      catchUpFrom = null;
      function page(after) {
        return fetch(config.messagesUrl + "?after=" + after, {
          credentials: "same-origin", headers: { "Accept": "application/json" }
        })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            if (!data) { return; }
            data.results.forEach(add);
            if (data.next_after) { return page(data.next_after); }
          });
      }
      return page(from).catch(function () {});
    }

    function fail(li, text, detail) {
      li.classList.add("is-failed");
      li.classList.remove("is-pending");
      var textarea = form.querySelector("textarea");
      if (!textarea.value) { textarea.value = text; }
      showStatus(detail || i18n.failed);
    }

    function sendOverHttp(clientId, text) {
      var li = pending[clientId];
      if (!li) { return; }
      postJson(config.messagesUrl, { body: text, client_id: clientId })
        .then(function (r) {
          return r.json().then(function (data) { return { ok: r.ok, data: data }; });
        })
        .then(function (result) {
          if (result.ok) { add(result.data); return; }
          var data = result.data || {};
          var detail = data.detail || (data.body && data.body[0]) || null;
          if (pending[clientId]) { delete pending[clientId]; fail(li, text, detail); }
        })
        .catch(function () {
          if (pending[clientId]) { delete pending[clientId]; fail(li, text, null); }
        });
    }

    if (form) {
      var textarea = form.querySelector("textarea");
      var clientInput = form.querySelector("input[name=client_id]");
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var text = textarea.value.trim();
        if (!text) { textarea.focus(); return; }
        var clientId = clientInput.value || randomId();
        clientInput.value = randomId();
        var li = buildItem({
          body: text,
          company: { id: config.company, name: "" },
          sender: { name: "…" },
          created_at: null
        });
        li.classList.add("is-pending");
        li.querySelector(".chat-meta").textContent = i18n.sending;
        pending[clientId] = li;
        list.appendChild(li);
        li.scrollIntoView({ block: "end" });
        textarea.value = "";
        showStatus("");
        var payload = { type: "message.send", conversation: config.conversation, body: text, client_id: clientId };
        if (rt.send(payload)) {
          // No echo within 5 s: the same client_id over HTTP (the server never stores it twice).
          setTimeout(function () { sendOverHttp(clientId, text); }, 5000);
        } else {
          sendOverHttp(clientId, text);
        }
      });
      textarea.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          if (form.requestSubmit) { form.requestSubmit(); } else { form.dispatchEvent(new Event("submit", { cancelable: true })); }
        }
      });
      textarea.addEventListener("input", function () {
        var now = Date.now();
        if (now - lastTypingSent > 3000) {
          lastTypingSent = now;
          rt.send({ type: "typing", conversation: config.conversation });
        }
      });
    }

    rt.on("message.new", function (data) { add(data.message); });
    rt.on("typing", function (data) {
      if (data.conversation !== config.conversation) { return; }
      typingEl.textContent = i18n.typing.replace("%(name)s", data.user && data.user.name ? data.user.name : "");
      typingEl.hidden = false;
      if (typingTimer) { clearTimeout(typingTimer); }
      typingTimer = setTimeout(hideTyping, 5000);
    });
    rt.on("read", function (data) {
      if (data.conversation !== config.conversation || data.company === config.company) { return; }
      partnerRead = Math.max(partnerRead, data.up_to);
      updateReadMarker();
    });
    rt.on("error", function (data) {
      var li = data.client_id && pending[data.client_id];
      if (li) {
        var text = li.querySelector(".chat-body").textContent;
        delete pending[data.client_id];
        fail(li, text, data.detail);
      }
    });
    rt.on("open", function () { showStatus(""); catchUp(); });
    // A numbered event missed, or the server's channel layer down (then every few seconds).
    rt.on("catchup", catchUp);
    rt.on("missed", function () { if (catchUpFrom === null) { catchUpFrom = lastId; } });
    rt.on("layer", function (data) { showStatus(data.up ? "" : i18n.degraded); });
    rt.on("close", function () { showStatus(i18n.offline); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState !== "visible") { return; }
      var theirs = list.querySelectorAll(".is-theirs[data-message-id]");
      if (theirs.length) { markRead(parseInt(theirs[theirs.length - 1].dataset.messageId, 10)); }
    });
    updateReadMarker();
    var last = list.lastElementChild;
    if (last) { last.scrollIntoView({ block: "end" }); }
  }

  // --- Inbox -----------------------------------------------------------------------------------
  // Live: a message moves its conversation to the top (with its preview, time and unread count);
  // a conversation not on the page yet, a read anywhere (another tab, a colleague) and every
  // catch-up reconcile the list with the server's first page (GET /api/v1/conversations/, most
  // recent first): missing conversations are drawn, counts and order set from the database.
  function inboxPage(inbox) {
    if (!rt) { return; }
    var i18n = JSON.parse(document.getElementById("inbox-i18n").textContent);
    var empty = document.querySelector("[data-inbox-empty]");
    var url = inbox.getAttribute("data-conversations-url");
    var fetching = null;
    var again = false;

    function itemOf(id) {
      return inbox.querySelector('[data-conversation-id="' + id + '"]');
    }

    function el(tag, className, text) {
      var node = document.createElement(tag);
      if (className) { node.className = className; }
      if (text !== undefined) { node.textContent = text; }
      return node;
    }

    // The same markup as templates/messaging/inbox.html, text only (never HTML from data).
    function buildItem(conversation) {
      var li = el("li", "card conversation-item");
      li.dataset.conversationId = String(conversation.id);
      var link = el("a", "conversation-link");
      link.href = i18n.urlPattern.replace("/0/", "/" + conversation.id + "/");
      var head = el("span", "conversation-head");
      var partner = conversation.companies.filter(function (c) { return c.id !== rt.companyId; })[0] ||
        conversation.companies[0];
      head.appendChild(el("strong", "conversation-partner", partner ? partner.name : ""));
      head.appendChild(document.createTextNode(" "));
      var badge = el("span", "badge", "0");
      badge.setAttribute("data-unread", "");
      badge.hidden = true;
      head.appendChild(badge);
      var listing = el("span", "conversation-listing");
      var kind = conversation.listing.kind;
      listing.appendChild(el("span", "tag tag-" + kind, i18n.kinds[kind] || kind));
      listing.appendChild(document.createTextNode(" " + conversation.listing.title));
      var last = el("span", "conversation-last muted small");
      last.setAttribute("data-last-message", "");
      var time = el("time", "conversation-time muted small");
      link.appendChild(head);
      link.appendChild(listing);
      link.appendChild(last);
      link.appendChild(time);
      li.appendChild(link);
      return li;
    }

    function setUnread(item, n) {
      var badge = item.querySelector("[data-unread]");
      badge.textContent = String(n);
      badge.hidden = n <= 0;
      item.classList.toggle("is-unread", n > 0);
    }

    function setLast(item, message, updatedAt) {
      var preview = item.querySelector("[data-last-message]");
      if (message) {
        var name = message.sender && message.sender.name ? message.sender.name : i18n.deleted;
        preview.textContent = name + " : " + (message.body.length > 140 ? message.body.slice(0, 139) + "…" : message.body);
      }
      var time = item.querySelector("time");
      time.dateTime = updatedAt;
      time.textContent = formatTime(updatedAt, true);
    }

    function showList() {
      inbox.hidden = false;
      if (empty) { empty.hidden = true; }
    }

    // The server's first page, newest first, placed at the top in its order: whatever is
    // below is older than all of it.
    function reconcile() {
      if (fetching) { again = true; return fetching; }
      fetching = fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (!data || !data.results) { return; }
          var anchor = inbox.firstChild;
          data.results.forEach(function (conversation) {
            var item = itemOf(conversation.id) || buildItem(conversation);
            setLast(item, conversation.last_message, conversation.updated_at);
            setUnread(item, conversation.unread_count);
            if (item !== anchor) { inbox.insertBefore(item, anchor); } else { anchor = anchor.nextSibling; }
          });
          if (data.results.length) { showList(); }
        })
        .catch(function () {})
        .then(function () {
          fetching = null;
          if (again) { again = false; reconcile(); }
        });
      return fetching;
    }

    rt.on("message.new", function (data) {
      var message = data.message;
      var item = itemOf(message.conversation);
      if (!item) { reconcile(); return; }
      setLast(item, message, message.created_at);
      if (message.company.id !== rt.companyId) {
        setUnread(item, (parseInt(item.querySelector("[data-unread]").textContent, 10) || 0) + 1);
      }
      inbox.insertBefore(item, inbox.firstChild);
      showList();
    });
    rt.on("read", function (data) {
      if (data.company === rt.companyId) { reconcile(); }
    });
    rt.on("catchup", reconcile);
    rt.on("open", function (info) { if (info.reconnected) { reconcile(); } });
  }

  var configEl = document.getElementById("chat-config");
  if (configEl) { conversationPage(configEl); }
  var inbox = document.querySelector("[data-inbox]");
  if (inbox) { inboxPage(inbox); }
})();
