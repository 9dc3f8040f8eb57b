// Tabular inlines label their fields only by the column header, which assistive technology
// cannot tie to each input; give every control (and each autocomplete box) that header as its
// accessible name. No effect on what is submitted.
"use strict";
(function () {
  function nameControls(root) {
    root.querySelectorAll(".inline-group .tabular table").forEach(function (table) {
      var headers = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      table.querySelectorAll("tbody tr").forEach(function (row, rowIndex) {
        Array.prototype.forEach.call(row.children, function (cell, column) {
          var header = headers[column];
          if (!header) return;
          var label = header + ", item " + (rowIndex + 1);
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (c) {
            if (!c.labels || c.labels.length === 0) c.setAttribute("aria-label", label);
          });
          cell.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
            box.removeAttribute("aria-labelledby");
            box.setAttribute("aria-label", label);
          });
          cell.querySelectorAll(".select2-selection__rendered[role=textbox]").forEach(function (t) {
            t.setAttribute("aria-label", label);
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
