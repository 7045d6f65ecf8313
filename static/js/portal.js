// Small progressive enhancements; every page works without them.
"use strict";

// "Alle an- bzw. abwählen": tick every billing unit, or none if all were ticked (manual §5 e).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-toggle-all]");
  if (!button || !button.form) {
    return;
  }
  event.preventDefault();
  var boxes = Array.prototype.slice.call(button.form.querySelectorAll('input[type="checkbox"][name="units"]'));
  var allTicked = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
  boxes.forEach(function (box) { box.checked = !allTicked; });
});

// A second click on "Speichern" while the first is on its way sends nothing (the server guards too).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.hasAttribute("data-once")) {
    if (button.getAttribute("aria-disabled") === "true") {
      event.preventDefault();
      return;
    }
    button.setAttribute("aria-disabled", "true");
  }
});
