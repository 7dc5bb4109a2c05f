// Booking pages: show times in the visitor's own zone. Without JavaScript the page uses the
// location's zone and says so; the visitor can pick hers from the list.
(function () {
  "use strict";
  var form = document.querySelector(".zone-form[data-auto='1']");
  if (form && !/[?&]tz=/.test(window.location.search)) {
    var detected;
    try { detected = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { detected = null; }
    if (detected && detected !== form.getAttribute("data-zone")) {
      var params = new URLSearchParams(window.location.search);
      params.set("tz", detected);
      window.location.replace(window.location.pathname + "?" + params.toString());
      return;
    }
  }
  // Stop a double tap from sending the booking twice (the server would book once anyway).
  document.querySelectorAll("form[method='post']").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      var button = f.querySelector("button[type='submit']");
      if (f.dataset.sent) { event.preventDefault(); return; }
      f.dataset.sent = "1";
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
      // If the answer never comes (network gone), let her try again after a while.
      window.setTimeout(function () {
        delete f.dataset.sent;
        if (button) { button.disabled = false; }
      }, 15000);
    });
  });
  // Coming back with the browser's Back button shows the form ready to send again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-sent]").forEach(function (f) {
      delete f.dataset.sent;
      var button = f.querySelector("button[type='submit']");
      if (button) { button.disabled = false; }
    });
  });
  var problem = document.getElementById("slot-problem") || document.querySelector(".error-summary");
  if (problem) problem.focus();
})();
