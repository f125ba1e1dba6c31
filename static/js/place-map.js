/*
 * Draws the small map of one place (templates/visits/public/_place_map.html) from its data-*
 * attributes: one marker, no panning, zooming or keyboard focus, so the page reads and tabs as
 * if the map were a picture. The caption beside it writes the address out; without Leaflet the
 * figure stays hidden.
 */
(function () {
  "use strict";

  if (!window.L) {
    return;
  }
  var figures = document.querySelectorAll("[data-place-map]");
  Array.prototype.forEach.call(figures, function (figure) {
    var canvas = figure.querySelector(".place-map__canvas");
    var latLng = [parseFloat(figure.dataset.latitude), parseFloat(figure.dataset.longitude)];
    if (!canvas || !isFinite(latLng[0]) || !isFinite(latLng[1])) {
      return;
    }
    // Shown before Leaflet measures the canvas: a hidden one has no size.
    figure.hidden = false;
    var map = L.map(canvas, {
      dragging: false,
      touchZoom: false,
      doubleClickZoom: false,
      scrollWheelZoom: false,
      boxZoom: false,
      keyboard: false,
      zoomControl: false,
      fadeAnimation: false,
      zoomAnimation: false,
      markerZoomAnimation: false,
    });
    L.tileLayer(figure.dataset.tileUrl, { attribution: figure.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
    map.setView(latLng, 15);
    var pin = document.createElement("span");
    pin.className = "place-map__marker";
    pin.setAttribute("aria-hidden", "true");
    L.marker(latLng, {
      icon: L.divIcon({ className: "place-map__icon", html: pin, iconSize: [24, 24], iconAnchor: [12, 29] }),
      interactive: false,
      keyboard: false,
    }).addTo(map);
  });
})();
