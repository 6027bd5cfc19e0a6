/* 朗读 (issue 32): the page's main content read aloud with the browser's own speech synthesis,
   in the page's language; while reading is on, each field's label is read when it gets focus.
   The button stays hidden where the browser cannot speak. No network, no inline script. */
(function () {
  "use strict";
  var button = document.getElementById("read-aloud");
  if (!button || !("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  var lang = document.documentElement.lang || "zh-CN";
  var label = button.textContent;
  var reading = false;

  function speak(text) {
    var utterance = new SpeechSynthesisUtterance(text.replace(/\s+/g, " ").trim());
    utterance.lang = lang;
    utterance.rate = 0.9;
    window.speechSynthesis.speak(utterance);
  }

  function setReading(on) {
    reading = on;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.textContent = on ? button.dataset.stop : label;
  }

  button.hidden = false;
  button.addEventListener("click", function () {
    window.speechSynthesis.cancel();
    if (reading) {
      setReading(false);
      return;
    }
    setReading(true);
    var main = document.getElementById("main");
    if (main) {
      speak(main.innerText);
    }
  });
  document.addEventListener("focusin", function (event) {
    var field = event.target;
    if (!reading || !field.labels || !field.labels.length) {
      return;
    }
    window.speechSynthesis.cancel();
    speak(Array.prototype.map.call(field.labels, function (l) { return l.innerText; }).join(" "));
  });
})();
