// The next observations' countdown on an infusion page: "in 4 min", or "late by 2 min" once past.
(function () {
  var spans = document.querySelectorAll(".countdown[data-due]");
  if (!spans.length) return;
  function tick() {
    var now = Date.now();
    spans.forEach(function (span) {
      var minutes = Math.round((Date.parse(span.getAttribute("data-due")) - now) / 60000);
      span.textContent = minutes >= 0 ? "(in " + minutes + " min)" : "(late by " + -minutes + " min)";
      span.classList.toggle("late", minutes < 0);
    });
  }
  tick();
  window.setInterval(tick, 15000);
})();
