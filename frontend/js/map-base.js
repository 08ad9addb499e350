// What every map of the site shares (search page, listing page, map page). No build step.
//
// BourseMap.readJSON and .escapeHTML are the small helpers the maps' scripts share.
// BourseMap.create(element, config, options) makes a Leaflet map from a server-written config
// (bourse.listings.search.views.map_config): tiles with their attribution, and under them the
// départements' outlines shipped with the project (config.outline, a static GeoJSON), so that
// a map whose tiles cannot load (no network) still shows France instead of a grey square.
// The attribution names its links in plain text (no flag image, no title-only link).
(function () {
  "use strict";

  // A JSON block the server wrote (json_script), or null.
  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (err) {
      return null;
    }
  }

  // Text for innerHTML (popups).
  function escapeHTML(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  var OUTLINE_STYLE = {
    color: "#7b8794",
    weight: 1,
    fillColor: "#f7f5ef",
    fillOpacity: 1,
    interactive: false,
  };
  var outlineData = {}; // url -> promise of the GeoJSON, fetched once per page

  function loadOutline(url) {
    if (!outlineData[url]) {
      outlineData[url] = fetch(url, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) throw new Error("outline " + response.status);
        return response.json();
      });
    }
    return outlineData[url];
  }

  function create(element, config, options) {
    var L = window.L;
    var map = L.map(element, Object.assign({ scrollWheelZoom: false, attributionControl: false }, options || {}));
    L.control
      .attribution({ prefix: '<a href="https://leafletjs.com" hreflang="en">Leaflet</a>' })
      .addTo(map);
    // Below the tiles (z-index 200): hidden by tiles that load, visible where they do not.
    var pane = map.createPane("outline");
    pane.style.zIndex = 150;
    pane.style.pointerEvents = "none";
    if (config.outline) {
      loadOutline(config.outline)
        .then(function (data) {
          L.geoJSON(data, Object.assign({ pane: "outline", attribution: config.outline_attribution }, OUTLINE_STYLE)).addTo(map);
          element.classList.add("map-has-outline");
        })
        .catch(function () {
          /* no outline: the tiles alone, as before */
        });
    }
    if (config.tiles) {
      L.tileLayer(config.tiles, { maxZoom: 18, attribution: config.attribution }).addTo(map);
    }
    return map;
  }

  // The circle of a search with a point (config.center, config.radius_km), or null.
  function searchCircle(map, config) {
    if (!config.radius_km) return null;
    return window.L.circle(config.center, {
      radius: config.radius_km * 1000,
      color: "#1f4e8c",
      weight: 1,
      fillOpacity: 0.04,
      interactive: false,
    }).addTo(map);
  }

  window.BourseMap = { create: create, searchCircle: searchCircle, readJSON: readJSON, escapeHTML: escapeHTML };
})();
