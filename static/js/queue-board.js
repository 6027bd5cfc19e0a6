/*
 * The display board (叫号屏): polls the feed every few seconds and redraws the calls.
 *
 * - Never stops: a failed request (server restarting, network gone) retries with an
 *   exponential backoff capped at 30 s and shows a discreet "reconnecting" note meanwhile.
 * - New calls (a new `key`: a first call, a recall, a call after a transfer) are written to an
 *   aria-live region so screen readers speak them, and flash briefly on screen. With `?voice=1`
 *   the browser's speech synthesis reads them aloud too.
 * - Text comes from the server already translated; it is set with textContent only.
 */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) { return; }
  var feedUrl = board.dataset.feedUrl;
  var pollMs = Number(board.dataset.pollMs || 2500);
  var emptyText = board.dataset.empty || "";
  var rows = document.getElementById("board-rows");
  var waiting = document.getElementById("board-waiting");
  var announcer = document.getElementById("board-announcer");
  var connection = document.getElementById("board-connection");
  var clock = document.getElementById("board-clock");
  var speak = /[?&]voice=1\b/.test(window.location.search) && "speechSynthesis" in window;
  var known = {};
  var delay = pollMs;
  var MAX_DELAY = 30000;

  Array.prototype.forEach.call(rows.querySelectorAll("tr[data-key]"), function (row) {
    known[row.dataset.key] = true;
  });

  function cell(tag, className, text) {
    var element = document.createElement(tag);
    element.className = className;
    element.textContent = text;
    if (tag === "th") { element.scope = "row"; }
    return element;
  }

  function render(data) {
    var fresh = [];
    var seen = {};
    var body = document.createDocumentFragment();
    data.calls.forEach(function (call) {
      var row = document.createElement("tr");
      row.dataset.key = call.key;
      row.className = "board-row board-" + call.status;
      if (!known[call.key]) {
        fresh.push(call);
        row.className += " board-new";
      }
      seen[call.key] = true;
      row.appendChild(cell("th", "board-number", call.number));
      row.appendChild(cell("td", "board-window", call.window_label));
      row.appendChild(cell("td", "board-status", call.status_label));
      body.appendChild(row);
    });
    if (!data.calls.length) {
      var empty = document.createElement("tr");
      empty.className = "board-empty";
      var td = cell("td", "", emptyText);
      td.colSpan = 3;
      empty.appendChild(td);
      body.appendChild(empty);
    }
    rows.replaceChildren(body);
    known = seen;

    data.waiting.forEach(function (row) {
      var item = waiting.querySelector('[data-category="' + row.category + '"] .board-waiting-count');
      if (item) { item.textContent = row.waiting_text || String(row.waiting); }
    });

    if (fresh.length) {
      // Oldest first, as they were called.
      var lines = fresh.reverse().map(function (call) { return call.announcement; });
      announcer.textContent = "";
      window.setTimeout(function () { announcer.textContent = lines.join("。"); }, 50);
      if (speak) {
        lines.forEach(function (line) {
          var utterance = new SpeechSynthesisUtterance(line);
          utterance.lang = document.documentElement.lang || "zh-CN";
          window.speechSynthesis.speak(utterance);
        });
      }
      window.setTimeout(function () {
        Array.prototype.forEach.call(rows.querySelectorAll(".board-new"), function (row) {
          row.classList.remove("board-new");
        });
      }, 6000);
    }
  }

  function schedule() { window.setTimeout(poll, delay); }

  function poll() {
    var controller = "AbortController" in window ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, 8000) : null;
    fetch(feedUrl, {
      cache: "no-store",
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined
    })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        render(data);
        delay = pollMs;
        connection.hidden = true;
        board.classList.remove("board-offline");
      })
      .catch(function () {
        delay = Math.min(Math.max(delay * 2, 2000), MAX_DELAY);
        connection.hidden = false;
        board.classList.add("board-offline");
      })
      .then(function () {
        if (timer) { window.clearTimeout(timer); }
        schedule();
      });
  }

  function tick() {
    if (!clock) { return; }
    var now = new Date();
    clock.textContent = String(now.getHours()).padStart(2, "0") + ":" +
      String(now.getMinutes()).padStart(2, "0");
  }

  tick();
  window.setInterval(tick, 10000);
  schedule();
})();
