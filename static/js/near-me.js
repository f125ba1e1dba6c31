/*
 * "Nearest to me": asks the browser for the position only when the resident presses the
 * button, then submits the filter form with it. Without JavaScript the area choice does the same.
 */
(function () {
  "use strict";

  var button = document.getElementById("near-me");
  var form = button ? button.form : null;
  if (!button || !form || !("geolocation" in navigator)) {
    return;
  }
  var status = document.createElement("p");
  status.className = "form-error";
  status.setAttribute("role", "status");
  button.parentNode.appendChild(status);
  button.hidden = false;

  button.addEventListener("click", function () {
    status.textContent = "";
    button.disabled = true;
    navigator.geolocation.getCurrentPosition(
      function (position) {
        form.elements.lat.value = position.coords.latitude.toFixed(5);
        form.elements.lon.value = position.coords.longitude.toFixed(5);
        form.submit();
      },
      function () {
        button.disabled = false;
        status.textContent = button.dataset.error;
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
    );
  });
})();
