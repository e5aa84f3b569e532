// Live refresh for elements marked data-refresh-url: fetch the fragment every N seconds.
// Without JavaScript the page still works (it has a reload link and the full content).
(function () {
  "use strict";
  document.querySelectorAll("[data-refresh-url]").forEach(function (el) {
    var seconds = parseInt(el.getAttribute("data-refresh-seconds") || "20", 10);
    var url = el.getAttribute("data-refresh-url");
    window.setInterval(function () {
      if (document.hidden) { return; }
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (r) {
          // Sent to the sign-in page (the session ended): reload the whole page rather than
          // drawing a login form inside the list.
          if (r.redirected) { window.location.reload(); return Promise.reject("redirected"); }
          return r.ok ? r.text() : Promise.reject(r.status);
        })
        .then(function (html) { el.innerHTML = html; })
        .catch(function () { /* keep the last good content; the next tick tries again */ });
    }, seconds * 1000);
  });
})();
