// Listing form: show only the fields that make sense, and confirm destructive buttons.
// Data comes from the page: #category-units (slug → allowed units), #priced-terms.
(function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function setHidden(row, hidden) {
    if (!row) return;
    row.hidden = hidden;
    row.querySelectorAll("input, select").forEach(function (el) { el.disabled = hidden; });
  }

  var form = document.querySelector("[data-listing-form]");
  if (form) {
    var units = readJson("category-units") || {};
    var pricedTerms = readJson("priced-terms") || [];
    var category = form.querySelector("[name=category]");
    var unit = form.querySelector("[name=unit]");
    var terms = form.querySelector("[name=terms]");
    var quantityRow = form.querySelector("[data-quantity-row]");
    var priceRow = form.querySelector("[data-price-row]");
    var postalRow = form.querySelector("[data-postal-row]");
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

    // Attributes (temperature, capacity, CACES...): only those of the chosen category.
    var categoryAttributes = readJson("category-attributes") || {};
    var attributesRow = form.querySelector("[data-attributes-row]");
    var updateAttributes = function () {
      var names = categoryAttributes[category.value] || [];
      form.querySelectorAll("[data-attribute-field]").forEach(function (row) {
        setHidden(row, names.indexOf(row.getAttribute("data-attribute-field")) === -1);
      });
      if (attributesRow) attributesRow.hidden = names.length === 0;
    };

    if (category) category.addEventListener("change", updateUnits);
    if (category) category.addEventListener("change", updateAttributes);
    if (terms) terms.addEventListener("change", updatePrice);
    form.querySelectorAll("[name=location]").forEach(function (radio) {
      radio.addEventListener("change", updateLocation);
    });
    if (category) updateUnits();
    if (category) updateAttributes();
    if (terms) updatePrice();
    updateLocation();
  }

  // A refused photo: bring its message into view (the page is re-rendered after the POST).
  var photoErrors = document.querySelector("#photos .errorlist");
  if (photoErrors) photoErrors.scrollIntoView({ block: "center" });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) event.preventDefault();
  });
  document.querySelectorAll("[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
