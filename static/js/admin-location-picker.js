/*
 * A map under the latitude/longitude inputs of an admin form. Clicking the map or dragging
 * the marker writes the inputs; typing in the inputs moves the marker.
 */
(function () {
  "use strict";

  function init() {
    var lat = document.querySelector("input[data-location-picker=latitude]");
    var lon = document.querySelector("input[data-location-picker=longitude]");
    if (!lat || !lon || !window.L) {
      return;
    }
    var holder = document.createElement("div");
    holder.className = "location-picker";
    holder.setAttribute("role", "region");
    holder.setAttribute("aria-label", lat.dataset.label);
    var row = lon.closest(".form-row") || lon.parentNode;
    row.parentNode.insertBefore(holder, row.nextSibling);

    var fallback = [60.205, 24.7];
    function current() {
      var a = parseFloat(lat.value);
      var b = parseFloat(lon.value);
      return isFinite(a) && isFinite(b) ? [a, b] : null;
    }

    var start = current();
    var map = L.map(holder).setView(start || fallback, start ? 15 : 11);
    L.tileLayer(lat.dataset.tileUrl, { attribution: lat.dataset.tileAttribution, maxZoom: 19 }).addTo(map);
    var marker = L.marker(start || fallback, { draggable: true, keyboard: true, title: lat.dataset.label });
    marker.addTo(map);

    function write(latLng) {
      lat.value = latLng.lat.toFixed(6);
      lon.value = latLng.lng.toFixed(6);
      lat.dispatchEvent(new Event("change"));
    }
    marker.on("dragend", function () {
      write(marker.getLatLng());
    });
    map.on("click", function (event) {
      marker.setLatLng(event.latlng);
      write(event.latlng);
    });
    function follow() {
      var position = current();
      if (position) {
        marker.setLatLng(position);
        map.panTo(position);
      }
    }
    lat.addEventListener("input", follow);
    lon.addEventListener("input", follow);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
