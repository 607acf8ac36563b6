// Guichet console: the queue refreshes itself without reloading the page.
// On each `queue` event of /console/events, fetch this same page (with its filters) and swap
// its rows (#queue-rows) in place; the filter form is left as it is. Without EventSource or
// fetch, nothing happens and the page works as before.
(function () {
  "use strict";
  var rows = document.getElementById("queue-rows");
  if (!rows || !window.EventSource || !window.fetch || !window.DOMParser) {
    return;
  }
  var busy = false;
  var again = false;

  function swap(text) {
    var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("queue-rows");
    var current = document.getElementById("queue-rows");
    if (fresh && current) {
      current.replaceWith(document.importNode(fresh, true));
    }
  }

  function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    fetch(window.location.href, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "text/html" },
    })
      .then(function (answer) {
        // Signed out meanwhile: the sign-in page is not a queue; leave the page as it is.
        if (!answer.ok || answer.redirected) {
          throw new Error("queue: " + answer.status);
        }
        return answer.text();
      })
      .then(swap)
      .catch(function () {})
      .then(function () {
        busy = false;
        if (again) {
          again = false;
          refresh();
        }
      });
  }

  var source = new EventSource("/console/events");
  source.addEventListener("queue", refresh);
})();
