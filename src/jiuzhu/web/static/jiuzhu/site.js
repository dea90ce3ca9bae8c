/* Jiuzhu: on a phone every table stacks into one card per row, each cell labelled with its
   column's heading; the labels are copied from the table's header here so that templates stay
   plain tables. A select marked data-autosubmit submits its form when it changes (a filter).
   No inline script or handler anywhere: the Content-Security-Policy allows only this file. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("table").forEach(function (table) {
    var heads = columnLabels(table);
    if (!heads.length) { return; }
    table.classList.add("stack");
    table.querySelectorAll("tbody tr").forEach(function (row) {
      Array.prototype.forEach.call(row.children, function (cell, i) {
        if (heads[i] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", heads[i]); }
      });
    });
  });
});
/* Each column's heading; a header of several rows (a group over its columns, spanning them)
   gives "group · column", following colspan and rowspan. */
function columnLabels(table) {
  var grid = [];
  Array.prototype.forEach.call(table.querySelectorAll("thead tr"), function (row, r) {
    grid[r] = grid[r] || [];
    var c = 0;
    Array.prototype.forEach.call(row.children, function (th) {
      while (grid[r][c] !== undefined) { c++; }
      var text = th.textContent.trim();
      for (var dr = 0; dr < (th.rowSpan || 1); dr++) {
        grid[r + dr] = grid[r + dr] || [];
        for (var dc = 0; dc < (th.colSpan || 1); dc++) { grid[r + dr][c + dc] = text; }
      }
      c += th.colSpan || 1;
    });
  });
  var width = grid.reduce(function (w, row) { return Math.max(w, row.length); }, 0);
  var labels = [];
  for (var c = 0; c < width; c++) {
    var parts = [];
    grid.forEach(function (row) {
      var text = row[c];
      if (text && parts.indexOf(text) < 0) { parts.push(text); }
    });
    labels.push(parts.join(" · "));
  }
  return labels;
}
document.addEventListener("change", function (event) {
  var field = event.target;
  if (field instanceof HTMLSelectElement && field.hasAttribute("data-autosubmit") && field.form) {
    field.form.requestSubmit();
  }
});
/* A fieldset marked data-shown-for="<field>" data-value="<value>" is shown only while that
   select of its form has that value (a program's own inputs on the application form); without
   this script every fieldset shows, each under its legend. */
function jiuzhuShowFor(form) {
  form.querySelectorAll("fieldset[data-shown-for]").forEach(function (set) {
    var select = form.querySelector("[name='" + set.getAttribute("data-shown-for") + "']");
    if (select) { set.hidden = select.value !== set.getAttribute("data-value"); }
  });
}
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form").forEach(jiuzhuShowFor);
});
document.addEventListener("change", function (event) {
  if (event.target.form) { jiuzhuShowFor(event.target.form); }
});
