/*
 * Adds the mobile service's venues to the map drawn by service-map.js: one marker per venue,
 * a teardrop of its own colour and symbol, its popup listing the visits. The page's data says
 * where each venue is and when its visits are; the rest (the venue's name and address, each
 * visit's link and cancellation) the popup repeats from the visit list, so no text comes twice.
 * Like the service point popups, everything is built from DOM nodes with textContent.
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

  var listed = {};
  document.querySelectorAll("#visit-section li.visit[data-visit-id]").forEach(function (item) {
    listed[item.dataset.visitId] = item;
  });

  function textOf(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  // A visit's title link reads "[day] time venue": the venue's name is its own text, after the spans.
  function venueName(item) {
    var parts = [];
    item.querySelector(".visit__title a").childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) {
        parts.push(node.textContent);
      }
    });
    return parts.join("").replace(/\s+/g, " ").trim();
  }

  // The list's cancellation notice without its symbol; a detail given in another language keeps
  // its lang attribute.
  function cancellationCopy(notice) {
    var copy = element("span", "visit-status--cancelled");
    notice.childNodes.forEach(function (node) {
      var text = node.textContent.replace(/\s+/g, " ");
      if (node.nodeType !== Node.ELEMENT_NODE) {
        copy.appendChild(document.createTextNode(text));
      } else if (!node.classList.contains("visit-status__symbol")) {
        var part = element("span", null, text);
        if (node.lang) {
          part.lang = node.lang;
        }
        copy.appendChild(part);
      }
    });
    return copy;
  }

  function popupContent(visits) {
    var first = visits[0].item;
    var root = element("div", "map-popup");
    root.appendChild(element("p", "map-popup__name", venueName(first)));
    root.appendChild(element("p", "map-popup__address", textOf(first.querySelector(".visit__where"))));
    root.appendChild(element("p", "map-popup__kind", labels.labelVisits));
    var list = element("ul", "map-popup__visits");
    visits.forEach(function (visit) {
      var item = element("li", visit.cancelled ? "map-popup__visit map-popup__visit--cancelled" : "map-popup__visit");
      var link = element("a", null, visit.when);
      link.href = visit.item.querySelector(".visit__title a").getAttribute("href");
      item.appendChild(link);
      if (visit.cancelled) {
        item.appendChild(cancellationCopy(visit.item.querySelector(".visit-status--cancelled")));
      }
      list.appendChild(item);
    });
    root.appendChild(list);
    return root;
  }

  var bounds = [];
  venues.forEach(function (venue) {
    var visits = [];
    venue.visits.forEach(function (visit) {
      var item = listed[visit.id];
      if (item) {
        visits.push({ when: visit.when, item: item, cancelled: item.dataset.status === "cancelled" });
      }
    });
    // Every visit on the map is listed; a venue none of whose visits are would have nothing to say.
    if (!visits.length) {
      return;
    }
    var cancelledCount = visits.filter(function (visit) {
      return visit.cancelled;
    }).length;
    var cancelled = cancelledCount === visits.length;
    // A venue with some of its visits cancelled keeps the visit pill, with a cancelled badge.
    var someCancelled = cancelledCount > 0 && !cancelled;
    var className = cancelled ? "marker--visit-cancelled" : someCancelled ? "marker--visit marker--visit-some-cancelled" : "marker--visit";
    var symbol = element("span", "marker " + className, cancelled ? "✕" : "i");
    symbol.setAttribute("aria-hidden", "true");
    var note = cancelled ? labels.labelCancelled : someCancelled ? labels.labelSomeCancelled : "";
    var latLng = [venue.coordinates[1], venue.coordinates[0]];
    var marker = L.marker(latLng, {
      icon: L.divIcon({ className: "marker-icon", html: symbol, iconSize: [40, 26], iconAnchor: [20, 13], popupAnchor: [0, -12] }),
      title: venueName(visits[0].item) + " – " + labels.labelVisits + (note ? " (" + note + ")" : ""),
      keyboard: true,
      riseOnHover: true,
      zIndexOffset: cancelled ? 0 : 800,
    });
    marker.bindPopup(popupContent(visits));
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
