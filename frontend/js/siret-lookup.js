// Declaration form: once 14 digits of SIRET are typed, ask the public registry (through our
// API) and offer to fill the name, address, postal code and NAF code with its answer. The
// person confirms with a button; nothing is overwritten behind their back. When the registry
// cannot be reached the form works by hand, as before.
//
// Usage: <form data-registry-lookup="/api/v1/geo/siret/00000000000000/"> with an input
// name="siret"; the zeros are replaced by the typed SIRET. What it says comes translated from
// the page: <script type="application/json" id="registry-texts"> (accounts.views).
(function () {
  "use strict";
  var form = document.querySelector("form[data-registry-lookup]");
  if (!form) return;
  var siret = form.querySelector("input[name=siret]");
  if (!siret) return;
  var template = form.getAttribute("data-registry-lookup");
  var textsNode = document.getElementById("registry-texts");
  if (!textsNode) return;
  var texts = JSON.parse(textsNode.textContent);
  var box = document.createElement("div");
  box.className = "registry-hint";
  box.setAttribute("aria-live", "polite");
  siret.parentNode.appendChild(box);
  var asked = null;
  var controller = null;

  function field(name) { return form.querySelector("[name=" + name + "]"); }

  function show(parts) {
    box.textContent = "";
    parts.forEach(function (part) { box.appendChild(part); });
  }

  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (className) node.className = className;
    return node;
  }

  function streetOnly(answer) {
    // The registry writes "12 RUE DE L'INDUSTRIE 69007 LYON": keep the street.
    var tail = " " + answer.postal_code + " ";
    var cut = answer.address.lastIndexOf(tail);
    return cut > 0 ? answer.address.slice(0, cut) : answer.address;
  }

  function offer(answer) {
    var summary = answer.name + " — " + answer.address;
    var state = answer.active ? texts.active : texts.closed;
    var button = text("button", texts.use, "button-small button-secondary");
    button.type = "button";
    button.addEventListener("click", function () {
      var values = {
        name: answer.name,
        address: streetOnly(answer),
        postal_code: answer.postal_code,
        naf_code: answer.naf_code
      };
      Object.keys(values).forEach(function (name) {
        var input = field(name);
        if (input && values[name]) {
          input.value = values[name];
          input.dispatchEvent(new Event("change", { bubbles: true }));
        }
      });
      show([text("p", texts.used, "small")]);
      var name = field("name");
      if (name) name.focus();
    });
    show([
      text("p", texts.found.replace("%(summary)s", summary), "small"),
      text("p", (answer.head_office ? texts.headOffice : texts.branch).replace("%(state)s", state),
        answer.active ? "small" : "small errorlist"),
      button
    ]);
  }

  function lookup() {
    var value = siret.value.replace(/\s+/g, "");
    if (!/^\d{14}$/.test(value) || value === asked) return;
    asked = value;
    if (controller) controller.abort();
    controller = new AbortController();
    show([text("p", texts.asking, "small muted")]);
    fetch(template.replace("00000000000000", value), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller.signal
    }).then(function (response) {
      if (response.ok) return response.json().then(offer);
      if (response.status === 404) {
        show([text("p", texts.unknown, "small errorlist")]);
      } else if (response.status === 400) {
        show([]);
      } else {
        show([text("p", texts.unreachable, "small muted")]);
      }
    }).catch(function (error) {
      if (error.name !== "AbortError") {
        show([text("p", texts.unreachable, "small muted")]);
      }
    });
  }

  siret.addEventListener("input", lookup);
  siret.addEventListener("change", lookup);
  lookup();
})();
