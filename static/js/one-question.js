/* 长辈版's simple path (issue 32): a long form, one question per screen. A form marked
   data-one-question whose [data-question] parts number three or more shows one part at a time,
   with 上一题 / 下一题 and where the reader is ("第 2 题，共 5 题", announced); its submit button
   comes with the last part. Every part stays in the form, so what was answered or chosen on an
   earlier screen is sent with the rest; a page that came back with errors opens at the first
   part with one, and a link in the error summary opens the part its field is in. Only in
   长辈版, and only with scripts: otherwise the whole form shows as always. The words come from the
   form's data-label-* attributes, written by the template in the page's language. */
(function () {
  "use strict";
  if (!document.body.classList.contains("elder-mode")) {
    return;
  }
  document.querySelectorAll("form[data-one-question]").forEach(function (form) {
    var parts = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
    if (parts.length < 3) {
      return;
    }
    var submit = form.querySelector("[data-question-submit]");
    var bar = document.createElement("div");
    bar.className = "one-question-bar d-flex flex-wrap gap-2 align-items-center my-3";
    var where = document.createElement("p");
    where.className = "one-question-where fw-bold mb-0 me-3";
    where.setAttribute("aria-live", "polite");
    var back = document.createElement("button");
    back.type = "button";
    back.className = "btn btn-outline-dark btn-lg";
    back.textContent = form.dataset.labelBack;
    var next = document.createElement("button");
    next.type = "button";
    next.className = "btn btn-primary btn-lg";
    next.textContent = form.dataset.labelNext;
    bar.append(where, back, next);
    // before the submit button: after the last part would put it inside a list of materials
    if (submit) {
      submit.before(bar);
    } else {
      form.append(bar);
    }
    var current = 0;

    function show(index, focus) {
      current = index;
      parts.forEach(function (part, n) {
        part.hidden = n !== index;
      });
      back.hidden = index === 0;
      next.hidden = index === parts.length - 1;
      if (submit) {
        submit.hidden = index !== parts.length - 1;
      }
      where.textContent = form.dataset.labelProgress
        .replace("{n}", String(index + 1))
        .replace("{total}", String(parts.length));
      if (focus) {
        var field = parts[index].querySelector("input, select, textarea");
        if (field) {
          field.focus();
        }
      }
    }

    function partOf(element) {
      return parts.findIndex(function (part) {
        return part.contains(element);
      });
    }

    back.addEventListener("click", function () {
      show(Math.max(current - 1, 0), true);
    });
    next.addEventListener("click", function () {
      show(Math.min(current + 1, parts.length - 1), true);
    });
    document.querySelectorAll("[data-error-summary] a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function () {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        var index = target ? partOf(target) : -1;
        if (index >= 0) {
          show(index, false);
        }
      });
    });
    var invalid = form.querySelector(".is-invalid");
    var first = invalid ? partOf(invalid) : -1;
    show(first >= 0 ? first : 0, false);
  });
})();
