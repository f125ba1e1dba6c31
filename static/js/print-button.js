/*
 * The printable schedule's print button: shown only when the browser can print from a script,
 * since without JavaScript the browser's own print command does the same.
 */
(function () {
  "use strict";
  var button = document.getElementById("print-button");
  if (!button || typeof window.print !== "function") {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", function () {
    window.print();
  });
})();
