// Names for the admin's controls that Django's own markup leaves unnamed (issue 32: every admin
// add and change form axe-clean). It only adds accessible names; nothing else changes.
//   - a tabular inline's inputs: their column's heading (the heading is visual only);
//   - a split date-time field's two inputs: the field's label, then 日期 / 时间;
//   - the search icon beside a two-box selector: an image with its name;
//   - an autocomplete box (select2): the label of the select it replaces.
(function () {
  "use strict";

  function text(node) {
    return node ? node.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function nameTabularInlines(root) {
    root.querySelectorAll("div.tabular table").forEach(function (table) {
      var headings = Array.prototype.map.call(table.querySelectorAll("thead th"), text);
      table.querySelectorAll("tbody tr").forEach(function (row) {
        Array.prototype.forEach.call(row.children, function (cell, index) {
          var heading = headings[index] || "";
          cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (control) {
            if (control.labels && control.labels.length) return;
            if (control.getAttribute("aria-label")) return;
            var name = heading || (control.type === "checkbox" ? "删除" : "");
            if (name) control.setAttribute("aria-label", name);
          });
        });
      });
    });
  }

  function nameSplitDateTimes(root) {
    root.querySelectorAll("p.datetime").forEach(function (group) {
      var row = group.closest(".form-row, .fieldBox, div");
      var label = row ? row.querySelector("label") : null;
      var name = text(label).replace(/[:：]$/, "");
      var parts = group.querySelectorAll("input:not([type=hidden])");
      parts.forEach(function (control, index) {
        if (control.getAttribute("aria-label")) return;
        control.setAttribute("aria-label", name + (index === 0 ? " 日期" : " 时间"));
      });
    });
  }

  function nameFilterIcons(root) {
    root.querySelectorAll(".selector span[aria-label]").forEach(function (icon) {
      if (!icon.getAttribute("role")) icon.setAttribute("role", "img");
    });
  }

  function nameAutocompletes(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
      var name = text(label).replace(/[:：]$/, "");
      var container = select.nextElementSibling;
      if (!name || !container) return;
      container.querySelectorAll(".select2-selection, .select2-selection__rendered").forEach(function (box) {
        box.setAttribute("aria-label", name);
      });
    });
  }

  function nameAll() {
    nameTabularInlines(document);
    nameSplitDateTimes(document);
    nameFilterIcons(document);
    nameAutocompletes(document);
  }

  document.addEventListener("DOMContentLoaded", nameAll);
  window.addEventListener("load", nameAll);
  // inline rows added, the two-box selectors and select2 built after the page: name them too
  new MutationObserver(function () {
    window.clearTimeout(nameAll.timer);
    nameAll.timer = window.setTimeout(nameAll, 50);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();
