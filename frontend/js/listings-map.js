// The map page (/annonces/carte/, templates/listings/map.html): every listing matching the
// filters, clustered by zoom with Leaflet.markercluster. No build step: plain ES2017.
//
// Reads #listings-map-config (bourse.listings.search.map.map_page): the compact points'
// URL (GET /api/v1/listings/map/: [id, lat, lon, kind index, category id] per listing, the
// coordinates as integers, divided by `scale`), the
// detail API and page URLs (with 0 for the id), the labels. A marker's title and link are read
// from the detail API when its popup opens, so 100,000 points stay a small download.
(function () {
  "use strict";
  if (!window.BourseMap) return; // map-base.js, loaded before this script

  var readJSON = window.BourseMap.readJSON;
  var escapeHTML = window.BourseMap.escapeHTML;

  function withId(template, id) {
    return template.replace(/\/0\/$/, "/" + id + "/");
  }

  // Markercluster's look, with words after the number for screen readers.
  function clusterIcon(word) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      return window.L.divIcon({
        html: "<div><span>" + count + '<span class="visually-hidden"> ' + escapeHTML(word) + "</span></span></div>",
        className: "marker-cluster marker-cluster-" + size,
        iconSize: window.L.point(40, 40),
      });
    };
  }

  function init() {
    var element = document.querySelector("[data-listings-map]");
    var config = readJSON("listings-map-config");
    var status = document.getElementById("map-status");
    if (!element || !config || !window.L || !window.BourseMap || !window.L.markerClusterGroup) return;
    var L = window.L;
    var labels = config.labels || {};
    var map = window.BourseMap.create(element, config).setView(config.center, config.zoom);
    var circle = window.BourseMap.searchCircle(map, config);
    if (circle) map.fitBounds(circle.getBounds());
    if (!config.points) return; // the filters were refused: the page says why
    var icons = [
      L.divIcon({ className: "map-pin map-pin-offer", iconSize: [16, 16] }),
      L.divIcon({ className: "map-pin map-pin-need", iconSize: [16, 16] }),
    ];
    var kindLabels = [labels.offer, labels.need];

    // Loaded and framed (browser tests wait for it before clicking a marker).
    function ready() {
      element.dataset.state = "ready";
    }

    function say(text) {
      if (status) status.textContent = text;
    }

    function getJSON(url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        });
    }

    function openPopup(marker, id, kind) {
      var link = withId(config.detail_page, id);
      marker
        .bindPopup('<p class="muted small">' + escapeHTML(kindLabels[kind]) + "</p>" +
          '<p><a href="' + escapeHTML(link) + '">' + escapeHTML(labels.open) + "</a></p>")
        .openPopup();
      getJSON(withId(config.detail_api, id))
        .then(function (listing) {
          marker.setPopupContent(
            '<p class="muted small">' + escapeHTML(kindLabels[kind]) + " · " +
              escapeHTML(listing.commune || "") + "</p>" +
              '<p class="map-popup-title"><a href="' + escapeHTML(link) + '">' +
              escapeHTML(listing.title) + "</a></p>"
          );
        })
        .catch(function () {
          /* the link alone still leads to the listing */
        });
    }

    say(labels.loading);
    getJSON(config.points)
      .then(function (data) {
        var total = data.points.length;
        function done() {
          if (!total) {
            say(labels.none);
            ready();
            return;
          }
          var n = total.toLocaleString("fr-FR");
          var text = total === 1 ? labels.count_one : labels.count_many.replace("%(n)s", n);
          if (data.truncated) text += " " + labels.truncated.replace("%(n)s", n);
          say(text);
          // Framed on the matches when the filters narrow the search (a département);
          // otherwise France stays in view (overseas listings would zoom out to the world).
          if (!circle && config.frame) {
            map.once("moveend", ready);
            map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 12 });
          } else {
            ready();
          }
        }
        // Added in chunks between frames (the page stays responsive), the progress said.
        var group = L.markerClusterGroup({
          chunkedLoading: true,
          chunkProgress: function (processed, all) {
            if (all !== total) return; // the group's own (empty) batch when added to the map
            // Called before the last step puts the clusters on the map: done() after it.
            if (processed >= all) setTimeout(done, 0);
            else say(labels.loading + " " + Math.round((100 * processed) / all) + " %");
          },
          showCoverageOnHover: false,
          spiderfyOnMaxZoom: true,
          iconCreateFunction: clusterIcon(labels.cluster),
        });
        // One click handler for the group; a marker carries its listing's id and kind.
        group.on("click", function (event) {
          openPopup(event.layer, event.layer.options.listing, event.layer.options.kind);
        });
        map.addLayer(group);
        var markers = data.points.map(function (point) {
          var kind = point[3];
          return L.marker([point[1] / data.scale, point[2] / data.scale], {
            icon: icons[kind] || icons[0],
            title: kindLabels[kind],
            listing: point[0],
            kind: kind,
          });
        });
        if (!total) done();
        else group.addLayers(markers);
      })
      .catch(function () {
        say(labels.failed);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
