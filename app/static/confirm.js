// Ask before a one-way action: forms marked data-confirm="question" submit only after "OK".
// Without JavaScript the form submits directly (the action is still CSRF-protected and audited).
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();
