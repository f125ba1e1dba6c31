/*
 * On a phone the list and the map are each a screen long: "List" and "Map" show one of them.
 * Until the resident chooses, and without JavaScript, both are shown, the list first, and the
 * links only scroll. The map is drawn before it is ever hidden, so it keeps its size.
 */
(function () {
  "use strict";

  var layout = document.getElementById("map-layout");
  var toggle = document.getElementById("view-toggle");
  if (!layout || !toggle) {
    return;
  }
  var links = toggle.querySelectorAll("[data-view]");

  function show(view) {
    layout.classList.remove("map-layout--list", "map-layout--map");
    layout.classList.add("map-layout--" + view);
    links.forEach(function (link) {
      if (link.dataset.view === view) {
        link.setAttribute("aria-current", "true");
      } else {
        link.removeAttribute("aria-current");
      }
    });
    // Leaflet measures its container again on a resize.
    window.dispatchEvent(new Event("resize"));
  }

  links.forEach(function (link) {
    link.addEventListener("click", function () {
      show(link.dataset.view);
    });
  });
  document.querySelectorAll(".skip-link[href='#service-map']").forEach(function (link) {
    link.addEventListener("click", function () {
      show("map");
    });
  });
})();
