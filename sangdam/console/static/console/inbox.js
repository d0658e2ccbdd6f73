/*
 * Inbox selection for bulk actions: row checkboxes, "select all", the count in the bulk
 * bar. The list is swapped by the live refresh; the selection is kept across swaps.
 */
(function () {
  "use strict";
  var bar = document.getElementById("bulk-form");
  if (!bar) return;
  var count = document.getElementById("bulk-count");
  var selected = new Set();

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-list .row-select"));
  }
  function render() {
    var all = boxes();
    all.forEach(function (box) {
      box.checked = selected.has(box.value);
      var row = box.closest("tr");
      if (row) row.classList.toggle("is-selected", box.checked);
    });
    var master = document.getElementById("select-all");
    if (master) {
      var on = all.filter(function (b) { return b.checked; }).length;
      master.checked = on > 0 && on === all.length;
      master.indeterminate = on > 0 && on < all.length;
    }
    count.textContent = count.dataset.template.replace("{n}", String(selected.size));
    bar.dataset.count = String(selected.size);
  }
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "select-all") {
      boxes().forEach(function (box) {
        if (target.checked) selected.add(box.value);
        else selected.delete(box.value);
      });
    } else if (target.classList && target.classList.contains("row-select")) {
      if (target.checked) selected.add(target.value);
      else selected.delete(target.value);
    } else {
      return;
    }
    render();
  });
  bar.addEventListener("submit", function () {
    // Tickets selected but no longer on the page (the live list moved on) still count.
    boxes().forEach(function (box) { selected.delete(box.value); });
    selected.forEach(function (id) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = "ids";
      hidden.value = id;
      bar.appendChild(hidden);
    });
  });
  document.addEventListener("htmx:afterSettle", render);
  render();
})();
