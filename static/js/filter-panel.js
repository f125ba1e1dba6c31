/*
 * On a phone the filter form alone fills the first screen, and the list of places is what a
 * resident came for: there the form starts folded under its summary. Without JavaScript, on a
 * wider screen, or when it has an error to read, it stays open.
 */
(function () {
  "use strict";

  var panel = document.getElementById("map-filters-panel");
  if (!panel || panel.querySelector(".field--error, [role=alert]")) {
    return;
  }
  if (window.matchMedia("(max-width: 40rem)").matches) {
    panel.open = false;
  }
})();
