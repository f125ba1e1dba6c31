/*
 * Enhances the service point list with a map. The list, rendered by the server, stays the
 * source of what a resident reads; each popup is built from DOM nodes with textContent so a
 * name from the database can never become markup.
 */
(function () {
  "use strict";

  var container = document.getElementById("service-map");
  var dataNode = document.getElementById("service-points-data");
  if (!container || !dataNode || !window.L) {
    return;
  }

  var SYMBOLS = { open: "✓", closing: "!", closed: "×", planned: "…" };
  var collection = JSON.parse(dataNode.textContent);

  container.setAttribute("role", "region");
  container.setAttribute("aria-label", container.dataset.labelMap);

  var map = L.map(container, { scrollWheelZoom: false });
  L.tileLayer(container.dataset.tileUrl, {
    attribution: container.dataset.tileAttribution,
    maxZoom: 19,
  }).addTo(map);

  function listItem(slug) {
    var items = document.querySelectorAll("#service-point-list [data-slug]");
    for (var i = 0; i < items.length; i += 1) {
      if (items[i].dataset.slug === slug) {
        return items[i];
      }
    }
    return null;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text) {
      node.textContent = text;
    }
    return node;
  }

  function popupContent(props, statusText, href) {
    var root = element("div", "map-popup");
    root.appendChild(element("p", "map-popup__name", props.name));
    root.appendChild(element("p", "status status--" + props.status, statusText));
    root.appendChild(element("p", "map-popup__address", props.address + ", " + props.postal_code + " " + props.city));
    var link = element("a", "map-popup__link", container.dataset.labelLink);
    link.href = href;
    root.appendChild(link);
    return root;
  }

  function markerIcon(props) {
    var symbol = element("span", "marker marker--" + props.status + " marker--" + props.kind, SYMBOLS[props.status]);
    symbol.setAttribute("aria-hidden", "true");
    return L.divIcon({ className: "marker-icon", html: symbol, iconSize: [30, 30], iconAnchor: [15, 15], popupAnchor: [0, -14] });
  }

  var bounds = [];
  collection.features.forEach(function (feature) {
    var props = feature.properties;
    var item = listItem(props.slug);
    var statusNode = item ? item.querySelector(".status") : null;
    var linkNode = item ? item.querySelector(".place-list__name a") : null;
    var statusText = statusNode ? statusNode.textContent.trim() : props.status;
    var href = linkNode ? linkNode.getAttribute("href") : props.url;
    var latLng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    var marker = L.marker(latLng, {
      icon: markerIcon(props),
      title: props.name + " – " + statusText,
      alt: props.name,
      keyboard: true,
      riseOnHover: true,
    });
    marker.bindPopup(popupContent(props, statusText, href));
    marker.addTo(map);
    bounds.push(latLng);
  });

  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
  } else {
    map.setView([60.205, 24.7], 11);
  }
})();
