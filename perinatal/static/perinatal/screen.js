// Progressive enhancement for the self-screen: when a self-harm item is answered above zero,
// show the crisis lines at once, before the form is sent. Without JavaScript the result page
// opens with them instead.
(function () {
  "use strict";
  var form = document.querySelector("form[data-safety-items]");
  if (!form) return;
  var names = form.getAttribute("data-safety-items").trim().split(/\s+/).filter(Boolean);
  names.forEach(function (name) {
    var panel = document.getElementById("crisis-inline-" + name);
    if (!panel) return;
    var radios = form.querySelectorAll('input[name="' + name + '"]');
    function update() {
      var chosen = form.querySelector('input[name="' + name + '"]:checked');
      // Scores live on the server; position tells only which option, so ask the option itself.
      var positive = chosen && chosen.getAttribute("data-score") !== "0";
      panel.hidden = !positive;
    }
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  });
  var summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
})();
