/* Speak Up enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Count letters in long answers, so nobody is surprised by the limit.
  document.querySelectorAll("[data-count-for]").forEach(function (counter) {
    var box = document.getElementById(counter.getAttribute("data-count-for"));
    if (!box) { return; }
    var max = parseInt(box.getAttribute("data-max"), 10);
    if (!max) { return; }
    var left = counter.getAttribute("data-left");
    var over = counter.getAttribute("data-over");
    function update() {
      var remaining = max - box.value.length;
      counter.classList.toggle("count-over", remaining < 0);
      counter.textContent = (remaining >= 0 ? left : over).replace("__N__", String(Math.abs(remaining)));
    }
    box.addEventListener("input", update);
  });

  // Send once: the server already makes a second press harmless; this just says "working on it".
  document.querySelectorAll("form[data-send-once]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { window.setTimeout(function () { button.disabled = true; }, 0); }
    });
  });

  // Exit this page: replace this page in history so Back does not return to it.
  function leave() { window.location.replace("/exit"); }
  var exit = document.getElementById("quick-exit");
  if (exit) {
    exit.addEventListener("click", function (event) { event.preventDefault(); leave(); });
  }
  // Pressing Shift three times within five seconds leaves too (the GOV.UK pattern).
  var presses = [];
  document.addEventListener("keyup", function (event) {
    if (event.key !== "Shift") { presses = []; return; }
    var now = Date.now();
    presses = presses.filter(function (t) { return now - t < 5000; });
    presses.push(now);
    if (presses.length >= 3) { leave(); }
  });

  // Put focus on the error summary so screen readers hear the problem first.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  // After an answer, the next question has the focus, so a screen reader starts there. The
  // page moves only if the question is not already on the screen (the Exit button stays).
  // The answer's redirect marks the address with #next (views/chat.py, ARRIVED); the mark
  // comes off at once, so a reload, or coming Back to this page, is not an arrival.
  var arrived = window.location.hash === "#next";
  if (arrived && window.history && window.history.replaceState) {
    window.history.replaceState(window.history.state, "", window.location.pathname + window.location.search);
  }
  var question = arrived ? document.querySelector(".question-text") : null;
  if (question && !summary) {
    question.focus({ preventScroll: true });
    var box = question.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) { question.scrollIntoView({ block: "start" }); }
  }

  // "Press Shift 3 times" is only true with a keyboard (and this script): touch screens keep
  // the words about the Exit button alone.
  var hint = document.querySelector(".exit-hint[data-keyboard]");
  if (hint && window.matchMedia && window.matchMedia("(hover: hover) and (pointer: fine)").matches) {
    hint.textContent = hint.getAttribute("data-keyboard");
  }
})();

/* "Read this to me": the browser's own speech, in the page's language. Hidden without it. */
(function () {
  "use strict";
  var button = document.querySelector(".read-aloud");
  if (!button || !("speechSynthesis" in window) || !window.SpeechSynthesisUtterance) { return; }
  var speech = window.speechSynthesis;
  var lang = document.documentElement.lang || "en";
  button.hidden = false;
  var words = button.querySelector(".read-aloud-words") || button;
  function reset() { words.textContent = button.getAttribute("data-start"); }
  function pickVoice() {
    var voices = speech.getVoices();
    for (var i = 0; i < voices.length; i++) {
      if (voices[i].lang && voices[i].lang.toLowerCase().indexOf(lang.toLowerCase()) === 0) { return voices[i]; }
    }
    return null;
  }
  button.addEventListener("click", function () {
    if (speech.speaking) { speech.cancel(); reset(); return; }
    var main = document.getElementById("main");
    var parts = [];
    // Read the question, hints and choices; leave out hidden text and the footer.
    main.querySelectorAll("h1, h2, p, legend, label, li, dt, dd").forEach(function (el) {
      if (el.closest("[hidden], .visually-hidden, details:not([open]) > :not(summary)")) { return; }
      if (el.closest("li") && el.tagName !== "LI") { return; }
      var text = el.innerText.trim();
      if (text) { parts.push(text); }
    });
    var utterance = new window.SpeechSynthesisUtterance(parts.join(". "));
    utterance.lang = lang;
    var voice = pickVoice();
    if (voice) { utterance.voice = voice; }
    utterance.onend = reset;
    utterance.onerror = reset;
    words.textContent = button.getAttribute("data-stop");
    speech.speak(utterance);
  });
})();

/* keep my link */
/* Copy and Share for the private link, shown only where the browser can do them. Without
   JavaScript the link stays on the page as text to select or press and hold. */
(function () {
  "use strict";
  var copy = document.getElementById("copy-link");
  var share = document.getElementById("share-link");
  var said = document.getElementById("copied");
  function say(which) {
    // Cleared first, so saying the same words again is announced again.
    said.textContent = "";
    window.setTimeout(function () { said.textContent = said.getAttribute(which); }, 50);
  }
  function copyBySelecting(text) {
    var box = document.createElement("textarea");
    box.value = text;
    box.setAttribute("readonly", "");
    box.className = "visually-hidden";
    document.body.appendChild(box);
    box.select();
    var done = false;
    try { done = document.execCommand("copy"); } catch (e) { done = false; }
    document.body.removeChild(box);
    return done;
  }
  if (copy && said) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      var link = copy.getAttribute("data-link");
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(link).then(function () { say("data-copied"); }, function () {
          say(copyBySelecting(link) ? "data-copied" : "data-not-copied");
        });
      } else {
        say(copyBySelecting(link) ? "data-copied" : "data-not-copied");
      }
    });
  }
  if (share && typeof navigator.share === "function") {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: share.getAttribute("data-title"), url: share.getAttribute("data-link") })
        .catch(function () { /* closed without sharing: nothing to do */ });
    });
  }
})();
