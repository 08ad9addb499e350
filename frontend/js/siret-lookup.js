// Declaration form: once 14 digits of SIRET are typed, ask the public registry (through our
// API) and offer to fill the name, address, postal code and NAF code with its answer. The
// person confirms with a button; nothing is overwritten behind their back. When the registry
// cannot be reached the form works by hand, as before.
//
// Usage: <form data-registry-lookup="/api/v1/geo/siret/00000000000000/"> with an input
// name="siret"; the zeros are replaced by the typed SIRET.
(function () {
  "use strict";
  var form = document.querySelector("form[data-registry-lookup]");
  if (!form) return;
  var siret = form.querySelector("input[name=siret]");
  if (!siret) return;
  var template = form.getAttribute("data-registry-lookup");
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
    var state = answer.active ? "Établissement actif" : "Établissement fermé selon le registre";
    var button = text("button", "Reprendre ces informations", "button-small button-secondary");
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
      show([text("p", "Informations reprises du registre : vérifiez-les et corrigez si besoin.", "small")]);
      var name = field("name");
      if (name) name.focus();
    });
    show([
      text("p", "Le registre des entreprises indique : " + summary + ".", "small"),
      text("p", state + (answer.head_office ? " (siège)." : " (établissement secondaire)."),
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
    show([text("p", "Consultation du registre des entreprises…", "small muted")]);
    fetch(template.replace("00000000000000", value), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller.signal
    }).then(function (response) {
      if (response.ok) return response.json().then(offer);
      if (response.status === 404) {
        show([text("p", "Le registre ne connaît pas ce SIRET : vérifiez les chiffres saisis.", "small errorlist")]);
      } else if (response.status === 400) {
        show([]);
      } else {
        show([text("p", "Registre injoignable : complétez le formulaire à la main.", "small muted")]);
      }
    }).catch(function (error) {
      if (error.name !== "AbortError") {
        show([text("p", "Registre injoignable : complétez le formulaire à la main.", "small muted")]);
      }
    });
  }

  siret.addEventListener("input", lookup);
  siret.addEventListener("change", lookup);
  lookup();
})();
