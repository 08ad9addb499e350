// Listing form: only the fields that make sense, the error summary, and the photos.
// Data comes from the page: #category-units (slug → allowed units), #category-attributes,
// #priced-terms.
//
// Photos (templates/listings/_photo_manager.html): without this script the form posts its file
// input, a position and a "remove" box per photo. With it, the photos are a list to reorder
// (buttons, or dragging) and to prune; the files chosen are previewed and kept here. On
// submit, when new files wait, the fields are posted first (asking for JSON); once the listing
// is saved, each file goes to the photo API with its progress shown, then the order is set and
// the page moves to the listing. If the form has errors, the page's new form replaces this one
// around the same photo list, so nothing chosen is lost.
(function () {
  "use strict";

  var MAX_BYTES = 10 * 1024 * 1024;
  var TYPES = ["image/jpeg", "image/png", "image/webp"];

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function setHidden(row, hidden) {
    if (!row) return;
    row.hidden = hidden;
    row.querySelectorAll("input, select").forEach(function (el) { el.disabled = hidden; });
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  // --- Fields shown according to the category, the terms and the place -------------------
  function setupFields(form) {
    var units = readJson("category-units") || {};
    var pricedTerms = readJson("priced-terms") || [];
    var categoryAttributes = readJson("category-attributes") || {};
    var category = form.querySelector("[name=category]");
    var unit = form.querySelector("[name=unit]");
    var terms = form.querySelector("[name=terms]");
    var quantityRow = form.querySelector("[data-quantity-row]");
    var priceRow = form.querySelector("[data-price-row]");
    var postalRow = form.querySelector("[data-postal-row]");
    var attributesRow = form.querySelector("[data-attributes-row]");
    var allUnitOptions = unit ? Array.prototype.slice.call(unit.options) : [];

    var updateUnits = function () {
      var allowed = units[category.value];
      var hasUnits = !category.value || (allowed && allowed.length > 0);
      setHidden(quantityRow, !hasUnits);
      if (!unit || !allowed) return;
      var current = unit.value;
      allUnitOptions.forEach(function (option) {
        var ok = option.value === "" || allowed.indexOf(option.value) !== -1;
        option.hidden = !ok;
        option.disabled = !ok;
      });
      if (current && allowed.indexOf(current) === -1) unit.value = allowed[0] || "";
      if (!unit.value && allowed.length) unit.value = allowed[0];
    };
    var updatePrice = function () {
      setHidden(priceRow, pricedTerms.indexOf(terms.value) === -1);
    };
    var updateLocation = function () {
      var checked = form.querySelector("[name=location]:checked");
      setHidden(postalRow, !checked || checked.value !== "other");
    };
    var updateAttributes = function () {
      var names = categoryAttributes[category.value] || [];
      form.querySelectorAll("[data-attribute-field]").forEach(function (row) {
        setHidden(row, names.indexOf(row.getAttribute("data-attribute-field")) === -1);
      });
      if (attributesRow) attributesRow.hidden = names.length === 0;
    };

    if (category) {
      category.addEventListener("change", updateUnits);
      category.addEventListener("change", updateAttributes);
      updateUnits();
      updateAttributes();
    }
    if (terms) {
      terms.addEventListener("change", updatePrice);
      updatePrice();
    }
    form.querySelectorAll("[name=location]").forEach(function (radio) {
      radio.addEventListener("change", updateLocation);
    });
    updateLocation();
    if (window.postalAutocomplete) window.postalAutocomplete.init(form);
  }

  // --- The error summary: focused, and its links focus their field ------------------------
  function setupSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (!target) return;
      event.preventDefault();
      var field = target.closest(".field, fieldset") || target;
      field.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    });
    summary.focus();
  }

  // --- Photos -----------------------------------------------------------------------------
  function PhotoManager(root, texts) {
    this.root = root;
    this.texts = texts;
    this.max = parseInt(root.getAttribute("data-max"), 10) || 6;
    this.list = root.querySelector("[data-photo-list]");
    this.input = root.querySelector("input[type=file]");
    this.status = root.querySelector("[data-photo-status]");
    this.empty = root.querySelector("[data-photo-empty]");
    this.dragged = null;
    var self = this;

    root.classList.add("photo-manager-enhanced");
    this.items().forEach(function (item) { self.enhance(item); });
    this.input.addEventListener("change", function () {
      self.addFiles(Array.prototype.slice.call(self.input.files));
      self.input.value = "";
    });
    this.list.addEventListener("dragover", function (event) {
      if (!self.dragged) return;
      event.preventDefault();
      var over = event.target.closest(".photo-item");
      if (!over || over === self.dragged) return;
      var box = over.getBoundingClientRect();
      var after = event.clientX > box.left + box.width / 2;
      self.list.insertBefore(self.dragged, after ? over.nextSibling : over);
    });
    this.list.addEventListener("drop", function (event) { event.preventDefault(); });
    this.refresh();
  }

  PhotoManager.prototype.items = function () {
    return Array.prototype.slice.call(this.list.querySelectorAll(".photo-item:not([hidden])"));
  };

  PhotoManager.prototype.pending = function () {
    return this.items().filter(function (item) { return item.photoFile && !item.photoDone; });
  };

  PhotoManager.prototype.say = function (text) {
    this.status.textContent = text;
  };

  PhotoManager.prototype.button = function (cls, text) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-small button-secondary " + cls;
    button.textContent = text;
    return button;
  };

  // Buttons on one item of the list (a photo already saved, or a file chosen).
  PhotoManager.prototype.enhance = function (item) {
    var self = this;
    var t = this.texts;
    var buttons = document.createElement("div");
    buttons.className = "photo-buttons";
    var before = this.button("photo-before", t.before);
    var after = this.button("photo-after", t.after);
    var remove = this.button("photo-remove", t.remove);
    buttons.appendChild(before);
    buttons.appendChild(after);
    buttons.appendChild(remove);
    item.appendChild(buttons);
    item.draggable = true;
    before.addEventListener("click", function () { self.move(item, -1, before); });
    after.addEventListener("click", function () { self.move(item, 1, after); });
    remove.addEventListener("click", function () { self.remove(item); });
    item.addEventListener("dragstart", function (event) {
      self.dragged = item;
      item.classList.add("photo-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    item.addEventListener("dragend", function () {
      item.classList.remove("photo-dragging");
      self.dragged = null;
      self.refresh();
      self.say(format(t.moved, { n: self.items().indexOf(item) + 1, total: self.items().length }));
    });
  };

  PhotoManager.prototype.move = function (item, step, button) {
    var items = this.items();
    var index = items.indexOf(item);
    var target = items[index + step];
    if (!target) return;
    this.list.insertBefore(item, step < 0 ? target : target.nextSibling);
    this.refresh();
    // At an end its button is disabled: the focus goes to the other direction's.
    var other = item.querySelector(step < 0 ? ".photo-after" : ".photo-before");
    (button.disabled ? other : button).focus();
    this.say(format(this.texts.moved, { n: index + step + 1, total: items.length }));
  };

  PhotoManager.prototype.remove = function (item) {
    var items = this.items();
    var index = items.indexOf(item);
    var box = item.querySelector("[data-photo-remove]");
    if (box) {
      box.checked = true; // a saved photo: deleted when the form is saved
      item.hidden = true;
    } else {
      if (item.photoUrl) URL.revokeObjectURL(item.photoUrl);
      item.remove();
    }
    this.refresh();
    var rest = this.items();
    var next = rest[Math.min(index, rest.length - 1)];
    (next ? next.querySelector(".photo-remove") : this.input).focus();
    this.say(this.texts.removed);
  };

  PhotoManager.prototype.addFiles = function (files) {
    var self = this;
    var refused = [];
    var room = this.max - this.items().length;
    files.forEach(function (file) {
      if (TYPES.indexOf(file.type) === -1) {
        refused.push(format(self.texts.badType, { name: file.name }));
      } else if (file.size > MAX_BYTES) {
        refused.push(format(self.texts.tooBig, { name: file.name }));
      } else if (room <= 0) {
        refused.push(format(self.texts.tooMany, { name: file.name, max: self.max }));
      } else {
        room -= 1;
        self.list.appendChild(self.newItem(file));
      }
    });
    this.refresh();
    var added = files.length - refused.length;
    var text = added ? format(added > 1 ? this.texts.addedMany : this.texts.addedOne, { n: added }) : "";
    this.say((text + " " + refused.join(" ")).trim());
  };

  PhotoManager.prototype.newItem = function (file) {
    var item = document.createElement("li");
    item.className = "photo-item photo-item-new";
    item.photoFile = file;
    item.photoUrl = URL.createObjectURL(file);
    var img = document.createElement("img");
    img.src = item.photoUrl;
    img.alt = file.name;
    img.width = 160;
    img.height = 120;
    item.appendChild(img);
    var state = document.createElement("span");
    state.className = "photo-state small";
    state.textContent = this.texts.waiting;
    item.appendChild(state);
    var progress = document.createElement("progress");
    progress.max = 100;
    progress.value = 0;
    progress.hidden = true;
    progress.setAttribute("aria-label", format(this.texts.progressOf, { name: file.name }));
    item.appendChild(progress);
    this.enhance(item);
    return item;
  };

  // Numbers, button names, the positions posted with the form, the "add" field when full.
  PhotoManager.prototype.refresh = function () {
    var t = this.texts;
    var items = this.items();
    items.forEach(function (item, index) {
      var n = index + 1;
      var position = item.querySelector("[data-photo-position]");
      if (position) position.value = n;
      item.querySelector(".photo-before").disabled = index === 0;
      item.querySelector(".photo-after").disabled = index === items.length - 1;
      item.querySelector(".photo-before").setAttribute("aria-label", format(t.beforeLabel, { n: n }));
      item.querySelector(".photo-after").setAttribute("aria-label", format(t.afterLabel, { n: n }));
      item.querySelector(".photo-remove").setAttribute("aria-label", format(t.removeLabel, { n: n }));
      item.classList.toggle("photo-first", index === 0);
      item.setAttribute("data-first-label", t.first);
    });
    this.empty.hidden = items.length > 0;
    this.input.disabled = items.length >= this.max;
  };

  // After the listing is saved: each new file to the photo API, then the order, then the page.
  PhotoManager.prototype.send = function (saved, csrf) {
    var self = this;
    var waiting = this.pending();
    var failures = 0;
    var sendOne = function (index) {
      if (index >= waiting.length) return Promise.resolve();
      self.say(format(self.texts.sending, { n: index + 1, total: waiting.length }));
      return self.upload(waiting[index], saved.photos_url, csrf).then(
        function () { return sendOne(index + 1); },
        function () { failures += 1; return sendOne(index + 1); }
      );
    };
    return sendOne(0).then(function () {
      var ids = self.items().filter(function (item) { return item.getAttribute("data-photo-id"); })
        .map(function (item) { return parseInt(item.getAttribute("data-photo-id"), 10); });
      if (ids.length < 2) return;
      return fetch(saved.order_url, {
        method: "PUT",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
        body: JSON.stringify({ photos: ids }),
      });
    }).then(function () { return failures; });
  };

  PhotoManager.prototype.upload = function (item, url, csrf) {
    var t = this.texts;
    var progress = item.querySelector("progress");
    var state = item.querySelector(".photo-state");
    return new Promise(function (resolve, reject) {
      var request = new XMLHttpRequest();
      request.open("POST", url);
      request.setRequestHeader("X-CSRFToken", csrf);
      request.setRequestHeader("Accept", "application/json");
      progress.hidden = false;
      state.textContent = t.uploading;
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable) progress.value = Math.round((event.loaded / event.total) * 100);
      });
      request.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(request.responseText); } catch (e) { body = {}; }
        if (request.status === 201) {
          progress.value = 100;
          item.photoDone = true;
          item.setAttribute("data-photo-id", body.id);
          state.textContent = t.done;
          resolve();
        } else {
          item.classList.add("photo-failed");
          state.textContent = (body.image && body.image[0]) || body.detail || t.failed;
          reject();
        }
      });
      request.addEventListener("error", function () {
        item.classList.add("photo-failed");
        state.textContent = t.failed;
        reject();
      });
      var data = new FormData();
      data.append("image", item.photoFile, item.photoFile.name);
      request.send(data);
    });
  };

  // --- The form's submission when new photos wait ------------------------------------------
  function listen(form, manager) {
    form.addEventListener("submit", function (event) {
      if (!manager || !manager.pending().length) return; // a plain post does it all
      event.preventDefault();
      var submitter = event.submitter;
      var data = new FormData(form);
      data.delete("photos");
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
      var buttons = form.querySelectorAll("[type=submit]");
      buttons.forEach(function (b) { b.disabled = true; });
      form.setAttribute("aria-busy", "true");
      manager.say(manager.texts.saving);
      var csrf = form.querySelector("[name=csrfmiddlewaretoken]").value;
      // getAttribute: form.action is the buttons named "action".
      fetch(form.getAttribute("action"), {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (response.ok && type.indexOf("application/json") === 0) {
          return response.json().then(function (saved) {
            return manager.send(saved, csrf).then(function (failures) {
              if (!failures) {
                window.location.assign(saved.url);
                return;
              }
              form.removeAttribute("aria-busy");
              var link = document.createElement("a");
              link.href = saved.url;
              link.textContent = manager.texts.continueLink;
              manager.say(format(manager.texts.savedWithFailures, { n: failures }) + " ");
              manager.status.appendChild(link);
              link.focus();
            });
          });
        }
        return response.text().then(function (html) { replaceForm(form, manager, html); });
      }).catch(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        form.removeAttribute("aria-busy");
        manager.say(manager.texts.offline);
      });
    });
  }

  // The page answered with the form and its errors: show that form around the same photos.
  function replaceForm(form, manager, html) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var fresh = page.querySelector("[data-listing-form]");
    if (!fresh) {
      manager.say(manager.texts.offline);
      return;
    }
    fresh = document.importNode(fresh, true);
    var slot = fresh.querySelector("[data-photo-manager]");
    if (slot) slot.replaceWith(manager.root);
    form.replaceWith(fresh);
    document.title = page.title;
    manager.say("");
    start(fresh, manager);
  }

  function start(form, manager) {
    setupFields(form);
    listen(form, manager);
    setupSummary(form);
  }

  var form = document.querySelector("[data-listing-form]");
  if (form) {
    var root = form.querySelector("[data-photo-manager]");
    var texts = readJson("photo-texts");
    start(form, root && texts ? new PhotoManager(root, texts) : null);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
})();
