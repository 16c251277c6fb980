// The reply editor's saved replies: filter the list as you type, insert one into the reply. Without this file
// the editor still works; only the picker does nothing.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".compose-form");
    if (!form) return;
    var search = form.querySelector(".saved-search");
    var text = form.querySelector(".compose-text");
    var chosen = form.querySelector(".saved-id");
    var buttons = Array.prototype.slice.call(form.querySelectorAll(".insert-saved"));
    if (search) search.addEventListener("input", function () {
      var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
      buttons.forEach(function (b) {
        var hay = (b.textContent + " " + b.getAttribute("data-text")).toLowerCase();
        b.parentNode.hidden = !words.every(function (w) { return hay.indexOf(w) >= 0; });
      });
    });
    buttons.forEach(function (b) {
      b.addEventListener("click", function () {
        text.value = b.getAttribute("data-text");
        chosen.value = b.getAttribute("data-id");
        text.focus();
      });
    });
    text.addEventListener("input", function () { if (!text.value) chosen.value = ""; });
  });
})();
