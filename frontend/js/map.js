// The search page's map (templates/listings/_results.html). No build step: plain ES2017.
//
// The map itself (tiles, départements' outlines, attribution) comes from map-base.js.
// Reads two JSON blocks written by the server: #search-map-config ({tiles, attribution, center,
// zoom, radius_km, labels}) and #search-map-points ([{lat, lon, title, kind, commune, url}]).
// Listings at the same place (many share their commune's centre) become ONE numbered marker
// whose popup lists them all, so none hides another. Re-runs after an htmx swap of the results.
(function () {
  "use strict";
  if (!window.BourseMap) return; // map-base.js, loaded before this script

  var readJSON = window.BourseMap.readJSON;
  var escapeHTML = window.BourseMap.escapeHTML;

  // Points closer than ~100 m share a marker (coordinates rounded to 3 decimals).
  function groupByPlace(points) {
    var groups = {};
    var order = [];
    points.forEach(function (point) {
      var key = point.lat.toFixed(3) + "," + point.lon.toFixed(3);
      if (!groups[key]) {
        groups[key] = { lat: point.lat, lon: point.lon, items: [] };
        order.push(key);
      }
      groups[key].items.push(point);
    });
    return order.map(function (key) {
      return groups[key];
    });
  }

  function popupHTML(group) {
    var first = group.items[0];
    var html = "<strong>" + escapeHTML(first.commune) + "</strong><ul class=\"map-popup-list\">";
    group.items.forEach(function (item) {
      html +=
        "<li><span class=\"muted\">" + escapeHTML(item.kind) + "</span> " +
        "<a href=\"" + escapeHTML(item.url) + "\">" + escapeHTML(item.title) + "</a></li>";
    });
    return html + "</ul>";
  }

  function markerIcon(count) {
    return window.L.divIcon({
      className: "map-marker" + (count > 1 ? " map-marker-group" : ""),
      html: "<span>" + (count > 1 ? count : "") + "</span>",
      iconSize: count > 1 ? [30, 30] : [18, 18],
      iconAnchor: count > 1 ? [15, 15] : [9, 9],
      popupAnchor: [0, -10],
    });
  }

  function init() {
    var element = document.querySelector("[data-search-map]");
    if (!element || element.dataset.ready || !window.L || !window.BourseMap) return;
    var config = readJSON("search-map-config");
    var points = readJSON("search-map-points") || [];
    if (!config) return;
    element.dataset.ready = "1";
    var L = window.L;
    var map = window.BourseMap.create(element, config).setView(config.center, config.zoom);

    // With a search point: its circle, and the view framed on the point and the markers.
    var bounds = [];
    var circle = window.BourseMap.searchCircle(map, config);
    if (circle) bounds.push(config.center);
    groupByPlace(points).forEach(function (group) {
      var count = group.items.length;
      var title = count > 1 ? count + " " + (config.labels.listings || "") : group.items[0].title;
      L.marker([group.lat, group.lon], { icon: markerIcon(count), title: title, alt: title })
        .bindPopup(popupHTML(group))
        .addTo(map);
      bounds.push([group.lat, group.lon]);
    });
    function frame() {
      if (bounds.length > 1) {
        map.fitBounds(bounds, { padding: [32, 32], maxZoom: 13 });
      } else if (circle) {
        map.fitBounds(circle.getBounds());
      } else if (bounds.length === 1) {
        map.setView(bounds[0], 11);
      }
    }
    frame();
    // The map's box may get its final size after this runs (the column settles once the
    // cards and fonts are laid out): Leaflet would keep the first size and leave the markers
    // at an edge. Follow the box, and frame again until the person moves the map.
    var moved = false;
    map.on("dragstart", function () {
      moved = true;
    });
    if (window.ResizeObserver) {
      var size = [element.clientWidth, element.clientHeight];
      new window.ResizeObserver(function () {
        if (element.clientWidth === size[0] && element.clientHeight === size[1]) return;
        size = [element.clientWidth, element.clientHeight];
        map.invalidateSize();
        if (!moved) frame();
      }).observe(element);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:afterSettle", init);
})();
