/* The kiosk ticket's print button (no inline handlers, so a strict CSP can be added later). */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
