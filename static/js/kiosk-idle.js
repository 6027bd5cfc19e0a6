/*
 * Kiosk idle timeout (自助终端无操作返回首页).
 *
 * Loaded by every kiosk page with data attributes on its own <script> tag:
 *   data-idle-seconds     seconds without a touch, click, key, wheel or typing before the reset (90)
 *   data-warning-seconds  how long before the reset a warning with a "continue" button shows
 *   data-reset-url        POSTed to end the session (any login, lookup grant, taken tickets),
 *                         with the CSRF token of the csrftoken cookie as it is at that moment
 *                         (a sign-in since the page was drawn rotates it), else data-csrf-token
 *   data-csrf-token       the token the page was drawn with (it also makes Django set the cookie)
 *   data-start-url        where the kiosk returns afterwards
 *   data-enabled          "0" switches the timer off (the start screen with nothing to clear)
 * A test may shorten the timer with `window.kioskIdleSeconds` set before this script runs.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || script.dataset.enabled === "0") { return; }
  var idle = Number(window.kioskIdleSeconds || script.dataset.idleSeconds || 90);
  var warn = Math.min(Number(script.dataset.warningSeconds || 20), Math.max(idle - 1, 0));
  var resetUrl = script.dataset.resetUrl;
  var startUrl = script.dataset.startUrl || "/kiosk/";
  var dialog = document.getElementById("kiosk-idle-warning");
  var counter = document.getElementById("kiosk-idle-seconds");
  var lastActivity = Date.now();
  var resetting = false;
  var warned = false;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : (script.dataset.csrfToken || "");
  }

  function hideWarning() {
    if (dialog && warned) { dialog.hidden = true; }
    warned = false;
  }

  function activity() {
    if (resetting) { return; }
    lastActivity = Date.now();
    hideWarning();
  }

  function goHome() {
    if (resetting) { return; }
    resetting = true;
    var done = function () { window.location.assign(startUrl); };
    if (!resetUrl || !window.fetch) { done(); return; }
    // The reset ends the session on the server; the kiosk goes home whatever the answer.
    fetch(resetUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken() }
    }).then(done, done);
    window.setTimeout(done, 3000);
  }

  function tick() {
    var left = idle - Math.floor((Date.now() - lastActivity) / 1000);
    if (left <= 0) { goHome(); return; }
    if (dialog && left <= warn) {
      if (!warned) {
        warned = true;
        dialog.hidden = false;
        var stay = dialog.querySelector("[data-kiosk-stay]");
        if (stay) { stay.focus(); }
      }
      if (counter) { counter.textContent = String(left); }
    }
  }

  ["pointerdown", "keydown", "touchstart", "wheel", "input"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true, capture: true });
  });
  if (dialog) {
    dialog.addEventListener("click", function (event) {
      if (event.target.closest("[data-kiosk-stay]")) { activity(); }
    });
  }
  // Back after the reset must not show the previous person's page from the browser's cache:
  // a page restored from it is fetched again (the server then sends the start screen).
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { window.location.reload(); }
  });
  window.setInterval(tick, 1000);
})();
