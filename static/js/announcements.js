/*
 * The announcement banner (templates/servicepoints/_announcements.html): each announcement gets
 * its hide button, hidden in the markup so that without JavaScript no button does nothing.
 * A hidden announcement is remembered in localStorage by its id and the time it was last saved
 * (data-announcement), so it stays hidden on every page, and shows again once it is changed.
 */
(function () {
  "use strict";
  var STORAGE_KEY = "espoo.hiddenAnnouncements";
  // Enough for every announcement a resident could meet in a long while; older ones are forgotten.
  var REMEMBERED = 50;
  var region = document.querySelector("[data-announcements]");
  if (!region) {
    return;
  }

  function hiddenOnes() {
    try {
      var stored = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (error) {
      // Storage switched off by the browser, or a value that is not ours: nothing is hidden.
      return [];
    }
  }

  function remember(version) {
    var stored = hiddenOnes().filter(function (other) {
      return other !== version;
    });
    stored.push(version);
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(stored.slice(-REMEMBERED)));
    } catch (error) {
      // Without storage the announcement is hidden on this page only.
    }
  }

  function shown() {
    return region.querySelectorAll("[data-announcement]:not([hidden])");
  }

  var hidden = hiddenOnes();
  Array.prototype.forEach.call(region.querySelectorAll("[data-announcement]"), function (item) {
    var version = item.getAttribute("data-announcement");
    if (hidden.indexOf(version) !== -1) {
      item.hidden = true;
      return;
    }
    var button = item.querySelector("[data-hide-announcement]");
    button.hidden = false;
    button.addEventListener("click", function () {
      remember(version);
      item.hidden = true;
      var rest = shown();
      region.hidden = rest.length === 0;
      // Focus goes on rather than to the top of the page: to the next announcement, else the content.
      var next = rest.length ? rest[0].querySelector("[data-hide-announcement]") : document.getElementById("main");
      if (next) {
        next.focus();
      }
    });
  });
  // An empty region would still be announced as a landmark.
  region.hidden = shown().length === 0;
})();
