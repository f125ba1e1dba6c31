// Staff calendar enhancement: a "select all drafts" switch and a live count on the publish
// button. The page works without it; the server publishes whatever boxes are ticked.
(function () {
  "use strict";

  function setUp(form) {
    const boxes = Array.from(form.querySelectorAll("input.publish-choice"));
    const publish = form.querySelector("button.publish-selected");
    if (!boxes.length || !publish) {
      return;
    }
    const label = publish.textContent;
    const all = document.createElement("button");
    all.type = "button";
    all.className = "button-secondary";
    publish.before(all);

    function refresh() {
      const chosen = boxes.filter((box) => box.checked).length;
      publish.textContent = chosen ? `${label} (${chosen})` : label;
      const every = chosen === boxes.length;
      all.textContent = every ? form.dataset.clearLabel : form.dataset.selectLabel;
    }

    all.addEventListener("click", () => {
      const every = boxes.every((box) => box.checked);
      boxes.forEach((box) => {
        box.checked = !every;
      });
      refresh();
    });
    boxes.forEach((box) => box.addEventListener("change", refresh));
    refresh();
  }

  document.querySelectorAll("form.publish-form").forEach(setUp);
})();
