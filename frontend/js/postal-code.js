// Postal code autocomplete (ARIA 1.2 combobox + listbox). No build step: plain ES2017.
//
// Usage: <input name="postal_code" data-postal-autocomplete> on any form. The value of the
// attribute, when given, is the API URL (default /api/v1/geo/postal-codes/). Choosing a place
// fills the input with its postal code, shows the commune under it, and dispatches a
// "postalcode:select" event on the input with the place in event.detail
// ({postal_code, commune, departement, latitude, longitude}), for maps and other fields.
(function () {
  "use strict";
  var DEFAULT_URL = "/api/v1/geo/postal-codes/";
  var counter = 0;

  function setup(input) {
    counter += 1;
    var url = input.getAttribute("data-postal-autocomplete") || DEFAULT_URL;
    var listId = "postal-list-" + counter;
    var wrapper = document.createElement("div");
    wrapper.className = "postal-autocomplete";
    input.parentNode.insertBefore(wrapper, input);
    wrapper.appendChild(input);

    var list = document.createElement("ul");
    list.id = listId;
    list.className = "postal-options";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.getAttribute("data-postal-label") || "Communes");
    list.hidden = true;
    wrapper.appendChild(list);

    var note = document.createElement("span");
    note.className = "helptext postal-commune";
    note.setAttribute("aria-live", "polite");
    wrapper.appendChild(note);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    var places = [];
    var active = -1;
    var timer = null;
    var lastQuery = null;
    var controller = null;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      for (var i = 0; i < options.length; i++) {
        options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0 && options[index]) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function choose(index) {
      var place = places[index];
      if (!place) return;
      input.value = place.postal_code;
      note.textContent = place.commune + " (" + place.departement + ")";
      close();
      input.dispatchEvent(new CustomEvent("postalcode:select", { detail: place, bubbles: true }));
    }

    function render() {
      list.innerHTML = "";
      places.forEach(function (place, i) {
        var li = document.createElement("li");
        li.id = listId + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        var code = document.createElement("strong");
        code.textContent = place.postal_code;
        li.appendChild(code);
        li.appendChild(document.createTextNode(" " + place.commune + " (" + place.departement + ")"));
        li.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
          choose(i);
        });
        list.appendChild(li);
      });
      if (places.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        highlight(-1);
      } else {
        close();
      }
    }

    function fetchPlaces(query) {
      if (query === lastQuery) return;
      lastQuery = query;
      if (controller) controller.abort();
      controller = "AbortController" in window ? new AbortController() : null;
      var target = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(target, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (data) {
          places = Array.isArray(data) ? data : [];
          render();
          var exact = places.filter(function (p) { return p.postal_code === input.value.trim(); });
          if (exact.length === 1) note.textContent = exact[0].commune + " (" + exact[0].departement + ")";
        })
        .catch(function () { /* aborted or offline: the server checks the code anyway */ });
    }

    input.addEventListener("input", function () {
      note.textContent = "";
      var query = input.value.trim();
      clearTimeout(timer);
      if (query.length < 2) {
        places = [];
        lastQuery = null;
        close();
        return;
      }
      timer = setTimeout(function () { fetchPlaces(query); }, 150);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden) {
        if (event.key === "ArrowDown" && places.length) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
          highlight(0);
          event.preventDefault();
        }
        return;
      }
      if (event.key === "ArrowDown") {
        highlight(Math.min(active + 1, places.length - 1));
        event.preventDefault();
      } else if (event.key === "ArrowUp") {
        highlight(Math.max(active - 1, 0));
        event.preventDefault();
      } else if (event.key === "Enter") {
        if (active >= 0) {
          choose(active);
          event.preventDefault();
        }
      } else if (event.key === "Escape") {
        close();
        event.preventDefault();
      }
    });

    input.addEventListener("blur", function () { setTimeout(close, 100); });
  }

  function init(root) {
    var inputs = (root || document).querySelectorAll("input[data-postal-autocomplete]");
    for (var i = 0; i < inputs.length; i++) {
      if (!inputs[i].hasAttribute("data-postal-ready")) {
        inputs[i].setAttribute("data-postal-ready", "");
        setup(inputs[i]);
      }
    }
  }

  window.postalAutocomplete = { init: init };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
  // Forms loaded by htmx get the behaviour too.
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
