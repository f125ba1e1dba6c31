/*
 * Adds the mobile service's venues to the map drawn by service-map.js: one marker per venue,
 * a teardrop of its own colour and symbol, its popup listing the visits. Like the service point
 * popups, everything is built from DOM nodes with textContent.
 */
(function (dom, serviceMap) {
  "use strict";

  var dataNode = document.getElementById("visit-venues-data");
  if (!serviceMap || !dataNode) {
    return;
  }
  var element = dom.element;
  var venues = JSON.parse(dataNode.textContent);
  var labels = serviceMap.container.dataset;

  function popupContent(venue) {
    var root = element("div", "map-popup");
    root.appendChild(element("p", "map-popup__name", venue.name));
    root.appendChild(element("p", "map-popup__address", venue.address + " · " + venue.area));
    root.appendChild(element("p", "map-popup__kind", labels.labelVisits));
    var list = element("ul", "map-popup__visits");
    venue.visits.forEach(function (visit) {
      var item = element("li", visit.cancelled ? "map-popup__visit map-popup__visit--cancelled" : "map-popup__visit");
      var link = element("a", null, visit.when);
      link.href = visit.url;
      item.appendChild(link);
      if (visit.cancelled) {
        item.appendChild(element("span", "visit-status--cancelled", " " + labels.labelCancelled + ": " + visit.reason));
      }
      list.appendChild(item);
    });
    root.appendChild(list);
    return root;
  }

  var bounds = [];
  venues.forEach(function (venue) {
    var cancelled = venue.all_cancelled;
    // A venue with some of its visits cancelled keeps the visit pill, with a cancelled badge.
    var someCancelled = !cancelled && venue.visits.some(function (visit) {
      return visit.cancelled;
    });
    var className = cancelled ? "marker--visit-cancelled" : someCancelled ? "marker--visit marker--visit-some-cancelled" : "marker--visit";
    var symbol = element("span", "marker " + className, cancelled ? "✕" : "i");
    symbol.setAttribute("aria-hidden", "true");
    var note = cancelled ? labels.labelCancelled : someCancelled ? labels.labelSomeCancelled : "";
    var latLng = [venue.coordinates[1], venue.coordinates[0]];
    var marker = L.marker(latLng, {
      icon: L.divIcon({ className: "marker-icon", html: symbol, iconSize: [40, 26], iconAnchor: [20, 13], popupAnchor: [0, -12] }),
      title: venue.name + " – " + labels.labelVisits + (note ? " (" + note + ")" : ""),
      keyboard: true,
      riseOnHover: true,
      zIndexOffset: cancelled ? 0 : 800,
    });
    marker.bindPopup(popupContent(venue));
    marker.on("add", function () {
      marker.getElement().dataset.venue = String(venue.id);
    });
    serviceMap.addMarker(marker);
    bounds.push(latLng);
  });

  if (bounds.length) {
    serviceMap.map.fitBounds(serviceMap.bounds.concat(bounds), { padding: [30, 30], maxZoom: 14 });
  }
})(window.espoo.dom, window.espoo.serviceMap);
