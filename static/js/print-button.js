// Buttons marked data-print open the browser's print dialog. A file of its own, so that the
// Content-Security-Policy allows scripts from the hall's own origin only (no inline script).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
