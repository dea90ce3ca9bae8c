/* Jiuzhu: on a phone every table stacks into one card per row, each cell labelled with its
   column's heading; the labels are copied from the table's header here so that templates stay
   plain tables. A select marked data-autosubmit submits its form when it changes (a filter).
   No inline script or handler anywhere: the Content-Security-Policy allows only this file. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    table.classList.add("stack");
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", heads[i]); }
      });
    });
  });
});
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit();
  }
});
