/*
 * Enhances the service point list with a map. The list, rendered by the server, stays the
 * source of what a resident reads: each popup repeats the texts of its list item. Popups are
 * built from DOM nodes with textContent so a name from the database can never become markup.
 */
(function () {
  "use strict";

  var container = document.getElementById("service-map");
  var dataNode = document.getElementById("service-points-data");
  if (!container || !dataNode || !window.L) {
    return;
  }

  var SYMBOLS = { open: "✓", closing: "!", closed: "×", planned: "…" };
  // Where markers overlap, places that still serve residents are drawn on top.
  var Z_OFFSETS = { open: 1000, closing: 1000, planned: 500, closed: 0 };
  var collection = JSON.parse(dataNode.textContent);

  container.setAttribute("role", "region");
  container.setAttribute("aria-label", container.dataset.labelMap);

  var calm = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var map = L.map(container, {
    scrollWheelZoom: false,
    fadeAnimation: !calm,
    zoomAnimation: !calm,
    markerZoomAnimation: !calm,
  });
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

  function textOf(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
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

  function popupContent(props, item, statusText, href) {
    var root = element("div", "map-popup");
    root.appendChild(element("p", "map-popup__name", props.name));
    var status = element("p", "map-popup__status status status--" + props.status);
    var symbol = element("span", "status__symbol");
    symbol.setAttribute("aria-hidden", "true");
    status.appendChild(symbol);
    status.appendChild(document.createTextNode(statusText));
    root.appendChild(status);
    var closes = textOf(item ? item.querySelector(".place-list__closes") : null);
    if (closes) {
      root.appendChild(element("p", "map-popup__closes", closes));
    }
    root.appendChild(element("p", "map-popup__address", props.address + ", " + props.postal_code + " " + props.city));
    var link = element("a", "map-popup__link", container.dataset.labelLink);
    link.href = href;
    root.appendChild(link);
    return root;
  }

  function markerIcon(props, shift) {
    var symbol = element("span", "marker marker--" + props.status + " marker--" + props.kind, SYMBOLS[props.status]);
    symbol.setAttribute("aria-hidden", "true");
    return L.divIcon({
      className: "marker-icon",
      html: symbol,
      iconSize: [30, 30],
      iconAnchor: [15 - shift, 15],
      popupAnchor: [shift, -14],
    });
  }

  // Places a few hundred metres apart (the old and the small-scale point in Espoon keskus) would
  // hide one another at city scale, so each such group is drawn side by side, MARKER_GAP apart.
  var MARKER_GAP = 30;
  var NEAR_DEGREES = 0.005;
  function sideBySideShifts(features) {
    var shifts = features.map(function () {
      return 0;
    });
    var grouped = features.map(function () {
      return false;
    });
    features.forEach(function (feature, i) {
      if (grouped[i]) {
        return;
      }
      var group = [i];
      var here = feature.geometry.coordinates;
      for (var j = i + 1; j < features.length; j += 1) {
        var there = features[j].geometry.coordinates;
        if (!grouped[j] && Math.abs(here[0] - there[0]) < NEAR_DEGREES * 2 && Math.abs(here[1] - there[1]) < NEAR_DEGREES) {
          group.push(j);
          grouped[j] = true;
        }
      }
      group.forEach(function (index, position) {
        shifts[index] = (position - (group.length - 1) / 2) * MARKER_GAP;
      });
    });
    return shifts;
  }

  // Keyboard users land in the popup they opened, and go back to its marker when it closes.
  function manageFocus(marker) {
    marker.on("popupopen", function (event) {
      var link = event.popup.getElement().querySelector(".map-popup__link");
      if (link) {
        link.focus({ preventScroll: true });
      }
    });
    marker.on("popupclose", function (event) {
      var active = document.activeElement;
      var popupNode = event.popup.getElement();
      if (!active || active === document.body || (popupNode && popupNode.contains(active))) {
        marker.getElement().focus({ preventScroll: true });
      }
    });
  }

  // Leaflet closes a popup on Escape only while the map itself has focus, not a marker or link.
  var openPopup = null;
  map.on("popupopen", function (event) {
    openPopup = event.popup;
  });
  map.on("popupclose", function (event) {
    if (openPopup === event.popup) {
      openPopup = null;
    }
  });
  container.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && openPopup) {
      map.closePopup(openPopup);
    }
  });

  var bounds = [];
  var shifts = sideBySideShifts(collection.features);
  collection.features.forEach(function (feature, index) {
    var props = feature.properties;
    var item = listItem(props.slug);
    var statusText = textOf(item ? item.querySelector(".status") : null) || props.status;
    var linkNode = item ? item.querySelector(".place-list__name a") : null;
    var href = linkNode ? linkNode.getAttribute("href") : props.url;
    var latLng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    var marker = L.marker(latLng, {
      icon: markerIcon(props, shifts[index]),
      title: props.name + " – " + statusText,
      keyboard: true,
      riseOnHover: true,
      zIndexOffset: Z_OFFSETS[props.status] || 0,
    });
    marker.bindPopup(popupContent(props, item, statusText, href));
    manageFocus(marker);
    // The element exists only once the map has a view, after fitBounds below.
    marker.on("add", function () {
      marker.getElement().dataset.slug = props.slug;
    });
    marker.addTo(map);
    bounds.push(latLng);
  });

  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
  } else {
    map.setView([60.205, 24.7], 11);
  }
  // visit-layer.js adds the mobile service's venues to this same map.
  container.espooMap = map;
  container.espooBounds = bounds;
})();
