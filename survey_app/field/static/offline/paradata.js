// How a form is filled in (paradata), for the offline app and the field-interview page.
//
// Kept: when the form was opened and saved (this device's clock), the seconds spent on each
// question and how many times an answer already given was changed. Nothing about the device
// or the person: the server only learns these numbers, keyed by question id
// (docs/PRIVACY.md). Time is given to the question of each tap or key, counted from the
// previous one, so a question read a long time and then answered gets that time; this works
// on a phone where tapping a choice does not focus it.
(function () {
  "use strict";
  // A pause longer than this (the phone put down) counts as this much.
  var MAX_GAP_MS = 10 * 60 * 1000;

  function questionOf(node) {
    var q = node && node.closest ? node.closest(".q") : null;
    return q && q.id.indexOf("q-") === 0 ? q.id.slice(2) : null;
  }

  // The value a question holds now, as one string ("" when unanswered).
  function valueOf(form, id) {
    var inputs = form.querySelectorAll("[name='" + id + "']");
    var picked = [];
    Array.prototype.forEach.call(inputs, function (i) {
      if (i.type === "radio" || i.type === "checkbox") { if (i.checked) picked.push(i.value); }
      else if (i.value.trim() !== "") picked.push(i.value.trim());
    });
    return picked.join("\u001f");
  }

  function Tracker(form) {
    this.form = form;
    this.reset();
    var self = this;
    ["focusin", "keydown", "click", "input", "change"].forEach(function (type) {
      form.addEventListener(type, function (event) { self.touch(event); }, true);
    });
    form.addEventListener("change", function (event) { self.changed(event); }, true);
  }

  Tracker.prototype.reset = function () {
    this.started = Date.now();
    this.last = this.started;
    this.seconds = {};
    this.changes = {};
    this.given = {};
  };

  Tracker.prototype.touch = function (event) {
    var id = questionOf(event.target);
    var now = Date.now();
    if (!id) return;
    var gap = Math.max(0, Math.min(now - this.last, MAX_GAP_MS));
    this.last = now;
    this.seconds[id] = (this.seconds[id] || 0) + gap / 1000;
  };

  // An answer given before and now different is a change; a box of a multiple question
  // unticked too. Building the first answer is not.
  Tracker.prototype.changed = function (event) {
    var id = questionOf(event.target);
    if (!id) return;
    var now = valueOf(this.form, id);
    var before = this.given[id] || "";
    var unticked = event.target.type === "checkbox" && !event.target.checked;
    if ((before !== "" && event.target.type !== "checkbox" && now !== before) || unticked) {
      this.changes[id] = (this.changes[id] || 0) + 1;
    }
    this.given[id] = now;
  };

  // What goes with the sheet; ``sent_ms`` is added when it leaves the device.
  Tracker.prototype.snapshot = function () {
    var seconds = {};
    var self = this;
    Object.keys(this.seconds).forEach(function (id) {
      seconds[id] = Math.round(self.seconds[id] * 10) / 10;
    });
    return {started_ms: this.started, ended_ms: Date.now(), seconds: seconds,
            changes: this.changes};
  };

  window.ParadataTracker = Tracker;
})();
