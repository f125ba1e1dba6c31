/*
 * Enhances the service point list with a map. The list, rendered by the server, stays the
 * source of what a resident reads: each popup repeats the texts of its list item, and the page's
 * data says only where each marker stands and how it looks, so no text comes twice. Popups are
 * built from DOM nodes with textContent so a name from the database can never become markup.
 * What it makes, visit-layer.js receives as window.espoo.serviceMap (null without a map).
 */
window.espoo.serviceMap = (function (dom) {
  "use strict";

  var container = document.getElementById("service-map");
  var dataNode = document.getElementById("service-points-data");
  if (!container || !dataNode || !window.L) {
    return null;
  }
  var element = dom.element;

  var SYMBOLS = { open: "✓", closing: "!", closed: "×", planned: "…" };
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
    // Closed points are listed apart, in a folded section; their markers stay on the map.
    var items = document.querySelectorAll("#service-point-list [data-slug], #closed-service-point-list [data-slug]");
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

  function popupContent(props, item, name, statusText, href) {
    var root = element("div", "map-popup");
    root.appendChild(element("p", "map-popup__name", name));
    // The list item's badge says what holds now (e.g. closed today though open in general).
    var badge = item.querySelector(".status");
    var status = element("p", "map-popup__status " + (badge ? badge.className : "status status--" + props.status));
    var symbol = element("span", "status__symbol");
    symbol.setAttribute("aria-hidden", "true");
    status.appendChild(symbol);
    status.appendChild(document.createTextNode(statusText));
    root.appendChild(status);
    var closes = textOf(item.querySelector(".place-list__closes"));
    if (closes) {
      root.appendChild(element("p", "map-popup__closes", closes));
    }
    root.appendChild(element("p", "map-popup__address", textOf(item.querySelector(".place-list__address"))));
    var link = element("a", "map-popup__link", container.dataset.labelLink);
    link.href = href;
    root.appendChild(link);
    var guidance = item.querySelector(".closure-guidance");
    if (guidance) {
      root.appendChild(guidanceCopy(guidance));
    }
    return root;
  }

  // A closing or closed point's popup repeats where to go instead, line by line from its list
  // item: text as text, links as links. Headings become paragraphs, as the popup has no outline.
  function guidanceCopy(source) {
    var copy = element("div", "map-popup__guidance");
    Array.prototype.forEach.call(source.children, function (child) {
      if (child.tagName === "OL" || child.tagName === "UL") {
        var list = element(child.tagName.toLowerCase(), "map-popup__list");
        Array.prototype.forEach.call(child.children, function (entry) {
          list.appendChild(lineCopy("li", entry));
        });
        copy.appendChild(list);
      } else {
        copy.appendChild(lineCopy("p", child, /^H[1-6]$/.test(child.tagName) ? "map-popup__heading" : ""));
      }
    });
    return copy;
  }

  function lineCopy(tag, source, className) {
    var line = element(tag, className);
    Array.prototype.forEach.call(source.childNodes, function (node) {
      var text = node.textContent.replace(/\s+/g, " ");
      if (node.nodeName === "A") {
        var link = element("a", "", text.trim());
        link.href = node.getAttribute("href");
        line.appendChild(link);
      } else {
        line.appendChild(document.createTextNode(text));
      }
    });
    return line;
  }

  function markerIcon(props) {
    var symbol = element("span", "marker marker--" + props.status + " marker--" + props.kind, SYMBOLS[props.status]);
    symbol.setAttribute("aria-hidden", "true");
    return L.divIcon({ className: "marker-icon", html: symbol, iconSize: [30, 30], iconAnchor: [15, 15], popupAnchor: [0, -14] });
  }

  // Places close together (a service point and the library hosting visits in the same building,
  // the old and the small-scale point in Espoon keskus) would cover one another at city scale.
  // At every zoom, each marker that would touch one laid out before it moves right just far
  // enough, its popup with it; the first one keeps its true place.
  var MARKER_GAP = 4;
  var spreadable = [];
  var spreadPending = false;

  function overlaps(a, b) {
    return (
      a.left < b.left + b.width + MARKER_GAP &&
      b.left < a.left + a.width + MARKER_GAP &&
      a.top < b.top + b.height &&
      b.top < a.top + a.height
    );
  }

  function spread() {
    spreadPending = false;
    var placed = [];
    spreadable.forEach(function (marker) {
      var markerNode = marker.getElement();
      if (!markerNode) {
        return;
      }
      var icon = marker.options.icon.options;
      var point = map.latLngToLayerPoint(marker.getLatLng());
      var box = { left: point.x - icon.iconAnchor[0], top: point.y - icon.iconAnchor[1], width: icon.iconSize[0], height: icon.iconSize[1] };
      var moved = true;
      while (moved) {
        moved = false;
        for (var i = 0; i < placed.length; i += 1) {
          if (overlaps(box, placed[i])) {
            box.left = placed[i].left + placed[i].width + MARKER_GAP;
            moved = true;
          }
        }
      }
      placed.push(box);
      var shift = box.left + icon.iconAnchor[0] - point.x;
      markerNode.style.marginLeft = shift - icon.iconAnchor[0] + "px";
      if (marker.getPopup()) {
        marker.getPopup().options.offset = [shift, 7];
      }
    });
  }

  function keepApart(marker) {
    spreadable.push(marker);
    if (!spreadPending) {
      spreadPending = true;
      L.Util.requestAnimFrame(spread);
    }
  }
  map.on("zoomend viewreset", spread);

  // Keyboard users land in the popup they opened, and go back to its marker when it closes.
  function manageFocus(marker) {
    marker.on("popupopen", function (event) {
      var link = event.popup.getElement().querySelector(".map-popup a[href]");
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

  // On a phone the map is narrow and low: a popup keeps clear of the zoom buttons, and a long
  // one (a venue's visits, a closed point's guidance) scrolls rather than outgrow the map.
  var popupOptions = {
    maxWidth: Math.min(300, container.clientWidth - 110),
    maxHeight: Math.max(160, container.clientHeight - 80),
    autoPanPaddingTopLeft: [55, 10],
  };

  // Every marker on this map, the visit layer's too, comes in here, its popup already bound.
  function addMarker(marker) {
    if (marker.getPopup()) {
      L.setOptions(marker.getPopup(), popupOptions);
    }
    manageFocus(marker);
    marker.addTo(map);
    keepApart(marker);
  }

  var bounds = [];
  collection.features.forEach(function (feature) {
    var props = feature.properties;
    var item = listItem(props.slug);
    // Every point on the map is listed; one that is not would have a marker with nothing to say.
    if (!item) {
      return;
    }
    var name = textOf(item.querySelector(".place-list__name"));
    var statusText = textOf(item.querySelector(".status")) || props.status;
    var href = item.querySelector(".place-list__name a").getAttribute("href");
    var latLng = [feature.geometry.coordinates[1], feature.geometry.coordinates[0]];
    var marker = L.marker(latLng, {
      icon: markerIcon(props),
      title: name + " – " + statusText,
      keyboard: true,
      riseOnHover: true,
    });
    marker.bindPopup(popupContent(props, item, name, statusText, href));
    // The element exists only once the map has a view, after fitBounds below.
    marker.on("add", function () {
      marker.getElement().dataset.slug = props.slug;
    });
    addMarker(marker);
    bounds.push(latLng);
  });

  if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
  } else {
    map.setView([60.205, 24.7], 11);
  }
  // visit-layer.js adds the mobile service's venues to this same map, through addMarker.
  return { container: container, map: map, bounds: bounds, addMarker: addMarker };
})(window.espoo.dom);
