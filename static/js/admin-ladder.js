// Autocomplete boxes (select2) name themselves after their empty selection, which assistive
// technology reads as nothing: give each box its field's label and the row, e.g. "Extends level,
// item 3". Controls with no <label> of their own get their column's header. No effect on what
// is submitted.
"use strict";
(function () {
  function labelOf(control, fallback) {
    var label = control && control.labels && control.labels[0];
    return label ? label.textContent.trim().replace(/:$/, "") : fallback;
  }
  function nameControls(root) {
    root.querySelectorAll(".inline-group .tabular table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr.form-row").forEach(function (row, rowIndex) {
        Array.prototype.forEach.call(row.children, function (cell, column) {
          var header = headers[column] || "";
          var item = ", item " + (rowIndex + 1);
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (c) {
            if (!c.labels || c.labels.length === 0) c.setAttribute("aria-label", header + item);
          });
          cell.querySelectorAll(".select2-container").forEach(function (container) {
            var select = container.previousElementSibling;
            var label = labelOf(select && select.tagName === "SELECT" ? select : null, header) + item;
            container.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
              box.removeAttribute("aria-labelledby");
              box.setAttribute("aria-label", label);
            });
            container.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(
              function (t) { t.setAttribute("aria-label", label); }
            );
          });
        });
      });
    });
  }
  // Autocomplete boxes are built by select2 after the page loads, and again for added rows:
  // name whatever appears (only child lists are watched, so setting names does not loop).
  var pending = false;
  function later() {
    if (pending) return;
    pending = true;
    window.setTimeout(function () { pending = false; nameControls(document); }, 0);
  }
  document.addEventListener("DOMContentLoaded", function () {
    nameControls(document);
    document.querySelectorAll(".inline-group").forEach(function (group) {
      new MutationObserver(later).observe(group, { childList: true, subtree: true });
    });
  });
})();
