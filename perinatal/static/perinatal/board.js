// The day board fetches its rows every few seconds, so a change made on another device shows
// without a reload. Without JavaScript the page is still whole; it is simply as of its loading.
(function () {
  var board = document.getElementById("board");
  if (!board || !window.fetch) return;
  var url = board.getAttribute("data-rows");
  function refresh() {
    fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) { if (html !== null) board.innerHTML = html; })
      .catch(function () {})
      .then(function () { window.setTimeout(refresh, 4000); });
  }
  window.setTimeout(refresh, 4000);
})();
