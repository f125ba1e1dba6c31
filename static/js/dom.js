/*
 * The map page's scripts share one namespace, window.espoo, loaded first. Each script receives
 * what an earlier one made as an argument (dom here, serviceMap from service-map.js), so the
 * hand-over between them is written down rather than left on a DOM node.
 */
window.espoo = {
  dom: {
    // An element whose text is set with textContent: a name from the database stays text.
    element: function (tag, className, text) {
      "use strict";
      var node = document.createElement(tag);
      if (className) {
        node.className = className;
      }
      if (text) {
        node.textContent = text;
      }
      return node;
    },
  },
};
