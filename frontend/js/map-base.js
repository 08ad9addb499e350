// What every map of the site shares (search page, listing page, map page). No build step.
//
// BourseMap.create(element, config, options) makes a Leaflet map from a server-written config
// (bourse.listings.search.views.map_config): tiles with their attribution, and under them the
// départements' outlines shipped with the project (config.outline, a static GeoJSON), so that
// a map whose tiles cannot load (no network) still shows France instead of a grey square.
// The attribution names its links in plain text (no flag image, no title-only link).
(function () {
  "use strict";

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

  window.BourseMap = { create: create };
})();
