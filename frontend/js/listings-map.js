// The map page (/annonces/carte/, templates/listings/map.html): every listing matching the
// filters, clustered by zoom with Leaflet.markercluster. No build step: plain ES2017.
//
// Reads #listings-map-config (bourse.listings.search.map.map_page): the compact points' URL
// (GET /api/v1/listings/map/: [id, lat, lon, kind index, category id] per listing, coordinates
// as integers to divide by `scale`), the detail API and page URLs (0 for the id), the list's
// query and the labels. Listings at the same place (a commune's centre: most of them) are ONE
// marker carrying their count, so the clusters index places, not listings; a cluster's number
// is the sum of its listings. Titles are read from the detail API when a popup opens.
(function () {
  "use strict";
  if (!window.BourseMap) return; // map-base.js, loaded before this script

  var readJSON = window.BourseMap.readJSON;
  var escapeHTML = window.BourseMap.escapeHTML;
  var TITLES_IN_POPUP = 8;

  function withId(template, id) {
    return template.replace(/\/0\/$/, "/" + id + "/");
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(
      function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }
    );
  }

  // The points grouped by place, in the answer's order (newest first).
  function groupByPlace(points) {
    var places = {};
    var order = [];
    points.forEach(function (point) {
      var key = point[1] + "," + point[2];
      var place = places[key];
      if (!place) {
        place = places[key] = { lat: point[1], lon: point[2], ids: [], kinds: {} };
        order.push(place);
      }
      place.ids.push(point[0]);
      place.kinds[point[3]] = true;
    });
    return order;
  }

  // Markercluster's look, its number the listings of its places, words for screen readers.
  function clusterIcon(word) {
    return function (cluster) {
      var count = 0;
      cluster.getAllChildMarkers().forEach(function (marker) {
        count += marker.options.ids.length;
      });
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
    if (!element || !config || !window.L || !window.L.markerClusterGroup) return;
    var L = window.L;
    var labels = config.labels || {};
    var map = window.BourseMap.create(element, config).setView(config.center, config.zoom);
    var circle = window.BourseMap.searchCircle(map, config);
    if (circle) map.fitBounds(circle.getBounds());
    if (!config.points) return; // the filters were refused: the page says why
    var kindLabels = [labels.offer, labels.need];
    var kindClasses = ["map-pin-offer", "map-pin-need"];

    // Loaded and framed (browser tests wait for it before clicking a marker).
    function ready() {
      element.dataset.state = "ready";
    }

    function say(text) {
      if (status) status.textContent = text;
    }

    function placeMarker(place, scale) {
      var kinds = Object.keys(place.kinds);
      var count = place.ids.length;
      var kindClass = kinds.length > 1 ? "map-pin-mixed" : kindClasses[kinds[0]] || kindClasses[0];
      var title = count > 1 ? labels.place_many.replace("%(n)s", count) : kindLabels[kinds[0]];
      return L.marker([place.lat / scale, place.lon / scale], {
        icon: L.divIcon({
          className: "map-pin " + kindClass + (count > 1 ? " map-pin-count" : ""),
          html: count > 1 ? "<span>" + count + "</span>" : "",
          iconSize: count > 1 ? [28, 28] : [16, 16],
        }),
        title: title,
        ids: place.ids,
        place: place,
      });
    }

    function titleLine(listing) {
      var link = withId(config.detail_page, listing.id);
      var kind = listing.kind === "need" ? labels.need : labels.offer;
      return (
        '<li><span class="muted small">' + escapeHTML(kind) + "</span> " +
        '<a href="' + escapeHTML(link) + '">' + escapeHTML(listing.title) + "</a></li>"
      );
    }

    // A place's listings: the newest titles read from the detail API; beyond them, a link to
    // the list of this place with the page's filters.
    function openPopup(marker, scale) {
      var place = marker.options.place;
      var ids = place.ids.slice(0, TITLES_IN_POPUP);
      var more = "";
      if (place.ids.length > ids.length) {
        var here = "lat=" + place.lat / scale + "&lon=" + place.lon / scale + "&radius_km=1";
        var list = config.list + (/\?$/.test(config.list) ? "" : "&") + here;
        more = '<p><a href="' + escapeHTML(list) + '">' +
          escapeHTML(labels.all_here.replace("%(n)s", place.ids.length)) + "</a></p>";
      }
      marker.bindPopup('<p class="muted small">' + escapeHTML(labels.loading) + "</p>" + more).openPopup();
      Promise.all(
        ids.map(function (id) {
          return getJSON(withId(config.detail_api, id)).catch(function () {
            return null;
          });
        })
      ).then(function (listings) {
        var found = listings.filter(Boolean);
        var commune = found.length ? found[0].commune : "";
        marker.setPopupContent(
          "<strong>" + escapeHTML(commune) + '</strong><ul class="map-popup-list">' +
            found.map(titleLine).join("") + "</ul>" + more
        );
      });
    }

    say(labels.loading);
    getJSON(config.points)
      .then(function (data) {
        var total = data.points.length;
        var places = groupByPlace(data.points);
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
            if (all !== places.length) return; // the group's own (empty) batch when added
            // Called before the last step puts the clusters on the map: done() after it.
            if (processed >= all) setTimeout(done, 0);
            else say(labels.loading + " " + Math.round((100 * processed) / all) + " %");
          },
          showCoverageOnHover: false,
          spiderfyOnMaxZoom: true,
          iconCreateFunction: clusterIcon(labels.cluster),
        });
        group.on("click", function (event) {
          openPopup(event.layer, data.scale);
        });
        map.addLayer(group);
        if (!total) done();
        else group.addLayers(places.map(function (place) {
          return placeMarker(place, data.scale);
        }));
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
