/* GOV.UK's error summary pattern (issue 32): a page that comes back with errors moves the focus
   to the summary of them, wherever its form sits on the page (the phone's case page puts the
   delivery, agency and rating forms far below the top), so a reader and a screen reader start
   there; each entry links to its field. */
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  summary.focus({ preventScroll: true });
  summary.scrollIntoView({ block: "center" });
})();
