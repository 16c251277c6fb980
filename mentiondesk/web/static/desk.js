// Keyboard shortcuts for the queue and "select all". Everything works without this file.
(function () {
  "use strict";
  function cards() { return Array.prototype.slice.call(document.querySelectorAll(".queue .card")); }
  function current() { return document.querySelector(".queue .card.active"); }
  function activate(card) {
    cards().forEach(function (c) { c.classList.remove("active"); });
    if (!card) return;
    card.classList.add("active");
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }
  function move(step) {
    var list = cards();
    if (!list.length) return;
    var i = list.indexOf(current());
    activate(list[Math.max(0, Math.min(list.length - 1, i + step))] || list[0]);
  }
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "Escape" && typing(event.target)) {
      var card = event.target.closest(".card");
      event.target.blur();
      if (card) activate(card);
      return;
    }
    if (typing(event.target)) return;
    var card = current();
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "a":
        if (!card) return;
        var approve = card.querySelector(".approve-form");
        if (approve) approve.requestSubmit(card.querySelector("button.approve"));
        break;
      case "e":
        if (!card) return;
        var text = card.querySelector("textarea.reply");
        if (text) { text.focus(); text.setSelectionRange(text.value.length, text.value.length); }
        break;
      case "r":
        if (!card) return;
        var reason = card.querySelector("input.reason");
        if (reason) reason.focus();
        break;
      case "x":
        if (!card) return;
        var pick = card.querySelector("input.pick");
        if (pick) pick.checked = !pick.checked;
        break;
      default: return;
    }
    event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    var card = event.target.closest && event.target.closest(".queue .card");
    if (card && !card.classList.contains("active")) {
      cards().forEach(function (c) { c.classList.remove("active"); });
      card.classList.add("active");
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var all = document.getElementById("select-all");
    if (all) all.addEventListener("change", function () {
      document.querySelectorAll("input.pick").forEach(function (box) { box.checked = all.checked; });
    });
    var list = cards();
    if (list.length) list[0].classList.add("active");
  });
})();
