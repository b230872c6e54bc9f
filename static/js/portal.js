// After a refused submit the page comes back with an error summary: move focus to it, so that keyboard
// and screen reader users hear what went wrong (its links lead to each field).
(function () {
  "use strict";
  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusErrorSummary);
  } else {
    focusErrorSummary();
  }
})();
