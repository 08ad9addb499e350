// The small map on a listing's page: the commune's centre and the radius the company covers.
(function () {
  "use strict";
  var node = document.getElementById("listing-map");
  var configNode = document.getElementById("listing-map-config");
  if (!node || !configNode || typeof L === "undefined" || !window.BourseMap) return;
  var config = JSON.parse(configNode.textContent);
  var point = [config.lat, config.lon];
  var map = window.BourseMap.create(node, config).setView(point, 10);
  L.marker(point, { keyboard: false }).addTo(map);
  var circle = L.circle(point, { radius: config.radius_km * 1000, weight: 1, fillOpacity: 0.08 });
  circle.addTo(map);
  if (config.radius_km <= 200) map.fitBounds(circle.getBounds(), { padding: [10, 10] });
})();
