// Offline forms: fill in responses with no network, keep them on the phone, send each exactly once.
//
// A response is written to localStorage when the surveyor presses Save, before any network
// attempt, under its own key ("ks-phieu:<submission id>"), so closing the page never loses it
// and two open tabs never overwrite each other. It leaves storage only when the server has
// answered "stored" or "already stored" for its id; a refusal keeps it, marked, for the
// surveyor to see. Words come from the page (translated on the server).
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("offline-data").textContent);
  var M = DATA.messages;
  var PREFIX = "ks-phieu:";
  var CHOICE = "ks-lua-chon";  // the last form and commune picked, to start there next time
  var RETRY_MS = 30000;
  var syncing = false;
  var openedAt = Date.now();
  // How the form is filled in: timings and changes per question (paradata.js).
  var tracker = $("entry") ? new window.ParadataTracker($("entry")) : null;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, key) { return values[key]; });
  }

  // --- The queue on the phone -------------------------------------------------------------

  function queued() {
    var items = [];
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key.indexOf(PREFIX) !== 0) continue;
      try { items.push(JSON.parse(localStorage.getItem(key))); } catch (e) { /* not ours */ }
    }
    return items.sort(function (a, b) { return a.saved_at - b.saved_at; });
  }
  function keep(item) { localStorage.setItem(PREFIX + item.submission_id, JSON.stringify(item)); }
  function forget(id) { localStorage.removeItem(PREFIX + id); }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); });
    return [h.slice(0, 4).join(""), h.slice(4, 6).join(""), h.slice(6, 8).join(""),
            h.slice(8, 10).join(""), h.slice(10).join("")].join("-");
  }

  // --- Status ------------------------------------------------------------------------------

  function showStatus(message) {
    var items = queued();
    var waiting = items.filter(function (i) { return i.state === "waiting"; });
    var failed = items.filter(function (i) { return i.state === "failed"; });
    $("waiting-count").textContent = String(waiting.length);
    var net = $("net-state");
    net.textContent = navigator.onLine ? M.online : M.offline;
    net.className = "net " + (navigator.onLine ? "on" : "off");
    if (message !== undefined) $("sync-message").textContent = message;
    else if (!waiting.length) $("sync-message").textContent = failed.length ? "" : M.nothing_waiting;
    else if (!navigator.onLine) $("sync-message").textContent = M.send_later;
    $("send-now").disabled = !waiting.length || !navigator.onLine;
    showFailed(failed);
  }

  // "5. <question text>: " for a problem on one question of a kept response.
  function questionName(item, id) {
    var name = "";
    DATA.forms.forEach(function (f) {
      if (f.campaign_form_id !== item.campaign_form_id) return;
      f.definition.sections.forEach(function (s) {
        s.questions.forEach(function (q) { if (q.id === id) name = q.number + ". " + q.text + " — "; });
      });
    });
    return name || (id === "_" ? "" : id + " — ");
  }

  function showFailed(items) {
    var note = $("failed-note");
    note.hidden = !items.length;
    note.textContent = format(M.refused, {count: items.length});
    var list = $("failed-list");
    list.textContent = "";
    $("failed").hidden = !items.length;
    items.forEach(function (item) {
      var li = el("li", {"class": "card"});
      li.appendChild(el("strong", {}, item.form_code + " · " + item.commune_name));
      li.appendChild(el("span", {"class": "muted"}, " " + new Date(item.saved_at).toLocaleString("vi-VN")));
      var why = el("ul");
      Object.keys(item.errors || {}).forEach(function (q) {
        why.appendChild(el("li", {}, questionName(item, q) + item.errors[q]));
      });
      li.appendChild(why);
      var drop = el("button", {"type": "button", "class": "btn secondary"}, M.discard);
      drop.addEventListener("click", function () {
        if (window.confirm(M.discard_confirm)) { forget(item.submission_id); showStatus(); }
      });
      li.appendChild(drop);
      list.appendChild(li);
    });
  }

  // --- Sending -----------------------------------------------------------------------------

  function getJSON(response) {
    if (response.status === 401) throw {login: true};
    if (!response.ok) throw {retry: true};
    return response.json();
  }

  function sync() {
    var waiting = queued().filter(function (i) { return i.state === "waiting"; });
    if (syncing || !waiting.length || !navigator.onLine) { showStatus(); return Promise.resolve(); }
    syncing = true;
    showStatus(M.sending);
    var sent = 0;
    return fetch(DATA.urls.session, {credentials: "same-origin", cache: "no-store",
                                     headers: {"Accept": "application/json"}})
      .then(getJSON)
      .then(function (session) {
        $("login-again").hidden = true;
        var mine = waiting.filter(function (i) { return i.user_id === session.user_id; });
        var others = waiting.length - mine.length;
        $("other-user").hidden = !others;
        $("other-user").textContent = format(M.other_user, {count: others});
        return sendSlices(mine, session.csrf_token, function (n) { sent += n; });
      })
      .then(function () { showStatus(sent ? format(M.sent, {count: sent}) : undefined); })
      .catch(function (problem) {
        if (problem && problem.login) {
          $("login-again").hidden = false;
          $("saved-note").hidden = true;
        }
        // Signed out: the box with the sign-in link says it all.
        showStatus(problem && problem.login ? "" : M.send_later);
      })
      .then(function () { syncing = false; });
  }

  // The device clock when this request leaves, not when the sheet was saved: the server
  // takes its own time of receipt minus this as the clock's offset, whatever the delay.
  function sentParadata(item) {
    if (!item.paradata) return undefined;
    var sent = {sent_ms: Date.now()};
    Object.keys(item.paradata).forEach(function (k) { sent[k] = item.paradata[k]; });
    return sent;
  }

  function sendSlices(items, token, counted) {
    if (!items.length) return Promise.resolve();
    var slice = items.slice(0, DATA.max_batch);
    var body = JSON.stringify({submissions: slice.map(function (i) {
      return {submission_id: i.submission_id, campaign_form_id: i.campaign_form_id,
              version_id: i.version_id, commune_id: i.commune_id, answers: i.answers,
              duration_seconds: i.duration_seconds, paradata: sentParadata(i)};
    })});
    return fetch(DATA.urls.sync, {method: "POST", credentials: "same-origin", body: body,
                                  headers: {"Content-Type": "application/json",
                                            "Accept": "application/json", "X-CSRFToken": token}})
      .then(getJSON)
      .then(function (reply) {
        $("saved-note").hidden = true;
        reply.results.forEach(function (result, index) {
          var item = slice[index];
          if (result.status === "stored" || result.status === "already_stored") {
            forget(item.submission_id);
            counted(1);
          } else {
            // A refusal is final for this response: show it, never resend it by itself.
            item.state = "failed";
            item.errors = result.errors;
            keep(item);
          }
        });
        showStatus();
        return sendSlices(items.slice(DATA.max_batch), token, counted);
      });
  }

  // --- The form ----------------------------------------------------------------------------

  var current = null;

  function chosenForm() { return DATA.forms[Number($("form-choice").value)]; }

  function rememberChoice() {
    try {
      localStorage.setItem(CHOICE, JSON.stringify({campaign_form_id: current.campaign_form_id,
                                                   commune: $("commune-choice").value}));
    } catch (e) { /* storage full: the choice is a convenience, the queue matters */ }
  }

  // Start on the form and commune used last, so a surveyor with a stack of one kind types on.
  function restoreChoice() {
    var saved;
    try { saved = JSON.parse(localStorage.getItem(CHOICE)); } catch (e) { saved = null; }
    DATA.forms.forEach(function (f, index) {
      if (saved && f.campaign_form_id === saved.campaign_form_id) {
        $("form-choice").value = String(index);
      }
    });
    renderForm();
    var communes = $("commune-choice");
    if (saved && Array.prototype.some.call(communes.options, function (o) {
      return o.value === saved.commune;
    })) communes.value = saved.commune;
  }

  function renderForm() {
    current = chosenForm();
    var communes = $("commune-choice");
    var previous = communes.value;
    communes.textContent = "";
    if (current.communes.length > 1) communes.appendChild(el("option", {"value": ""}, M.choose));
    current.communes.forEach(function (c) {
      communes.appendChild(el("option", {"value": String(c.id)}, c.name + " (" + c.code + ")"));
    });
    if (previous && current.communes.some(function (c) { return String(c.id) === previous; })) {
      communes.value = previous;
    }
    var box = $("questions");
    box.textContent = "";
    current.definition.sections.forEach(function (section) {
      box.appendChild(el("h2", {}, section.title));
      section.questions.forEach(function (q) { box.appendChild(renderQuestion(q)); });
    });
    applyConditions();
    openedAt = Date.now();
    if (tracker) tracker.reset();
  }

  // How each widget draws a question's answer. A question's widget comes from its type
  // (forms/question_types.py), so a new type that looks like an old one needs nothing here.
  // Grouped widgets pick among several inputs, in a fieldset with a legend; a multiple one
  // sends every value picked, the others send one.
  var WIDGETS = {
    choice: {grouped: true, draw: function (q, wrap) {
      wrap.appendChild(optionRow(q, q.options, "radio", "opts"));
    }},
    choices: {grouped: true, multiple: true, draw: function (q, wrap) {
      wrap.appendChild(el("p", {"class": "muted"}, M.several));
      wrap.appendChild(optionRow(q, q.options, "checkbox", "opts"));
    }},
    scale: {grouped: true, draw: function (q, wrap) {
      wrap.appendChild(el("p", {"class": "muted"}, q.scale[0] + " = " + q.min_label + " · " +
                          q.scale[q.scale.length - 1] + " = " + q.max_label));
      var points = q.scale.map(function (n) { return {value: String(n), label: String(n)}; });
      wrap.appendChild(optionRow(q, points, "radio", "opts scale"));
    }},
    number: {draw: function (q, wrap) {
      var attrs = {"type": "number", "id": "i-" + q.id, "name": q.id, "inputmode": "decimal"};
      if (q.min !== null && q.min !== undefined) attrs.min = q.min;
      if (q.max !== null && q.max !== undefined) attrs.max = q.max;
      if (q.integer) attrs.step = "1";
      wrap.appendChild(el("input", attrs));
    }, check: function (q, value) {
      var n = Number(value.replace(",", "."));
      return (isNaN(n) || (q.integer && n % 1) || (q.min !== null && n < q.min) ||
              (q.max !== null && n > q.max)) ? M.number : null;
    }},
    text: {draw: function (q, wrap) {
      wrap.appendChild(el("textarea", {"id": "i-" + q.id, "name": q.id, "rows": "3",
                                       "maxlength": String(q.max_length)}));
    }}
  };

  function optionRow(q, options, type, className) {
    var row = el("div", {"class": className});
    options.forEach(function (o) {
      var label = el("label", {"class": "opt"});
      label.appendChild(el("input", {"type": type, "name": q.id, "value": o.value}));
      label.appendChild(document.createTextNode(" " + o.label));
      row.appendChild(label);
    });
    return row;
  }

  function renderQuestion(q) {
    var widget = WIDGETS[q.widget];
    var grouped = widget.grouped === true;
    var wrap = el(grouped ? "fieldset" : "div", {"class": "q", "id": "q-" + q.id, "data-q": q.id});
    if (q.show_if) {
      wrap.setAttribute("data-show-if", q.show_if.question);
      wrap.setAttribute("data-values", q.show_if.values.join(" "));
    }
    var title = el(grouped ? "legend" : "label", grouped ? {} : {"for": "i-" + q.id},
                   q.number + ". " + q.text + (q.required ? " *" : ""));
    wrap.appendChild(title);
    if (q.help) wrap.appendChild(el("p", {"class": "muted"}, q.help));
    widget.draw(q, wrap);
    wrap.appendChild(el("p", {"class": "err", "hidden": "hidden"}));
    return wrap;
  }

  function valuesOf(id) {
    var form = $("entry");
    return Array.prototype.filter.call(form.querySelectorAll("[name='" + id + "']"), function (i) {
      return (i.type === "radio" || i.type === "checkbox") ? i.checked : i.value.trim() !== "";
    }).map(function (i) { return i.value.trim(); });
  }

  function applyConditions() {
    var conditional = $("questions").querySelectorAll("[data-show-if]");
    Array.prototype.forEach.call(conditional, function (node) {
      var parent = $("q-" + node.getAttribute("data-show-if"));
      var wanted = node.getAttribute("data-values").split(" ");
      var given = parent && !parent.hidden ? valuesOf(node.getAttribute("data-show-if")) : [];
      node.hidden = !given.some(function (v) { return wanted.indexOf(v) >= 0; });
    });
  }

  function collect() {
    var answers = {};
    var problems = 0;
    current.definition.sections.forEach(function (section) {
      section.questions.forEach(function (q) {
        var node = $("q-" + q.id);
        var error = node.querySelector(".err");
        error.hidden = true;
        node.classList.remove("invalid");
        if (node.hidden) return;
        var values = valuesOf(q.id);
        var problem = null;
        // A blank where the form allows "không trả lời" is the respondent's refusal.
        if (!values.length && q.required && !q.allows_no_answer) problem = M.required;
        var widget = WIDGETS[q.widget];
        if (values.length && widget.check) problem = widget.check(q, values[0]);
        if (problem) {
          error.textContent = problem; error.hidden = false; node.classList.add("invalid");
          problems += 1;
        } else if (values.length) {
          answers[q.id] = widget.multiple ? values : values[0];
        }
      });
    });
    return problems ? null : answers;
  }

  function save(event) {
    event.preventDefault();
    var alert = $("form-alert");
    var commune = $("commune-choice");
    var answers = collect();
    alert.hidden = true;
    if (!commune.value) {
      commune.classList.add("invalid");
      commune.focus();
      alert.textContent = M.fix_marked; alert.hidden = false;
      return;
    }
    commune.classList.remove("invalid");
    if (!answers) {
      alert.textContent = M.fix_marked; alert.hidden = false;
      var first = $("questions").querySelector(".invalid");
      if (first) first.scrollIntoView({block: "center"});
      return;
    }
    var chosen = current.communes.filter(function (c) { return String(c.id) === commune.value; })[0];
    var item = {
      submission_id: newId(), user_id: DATA.user_id, state: "waiting", saved_at: Date.now(),
      campaign_form_id: current.campaign_form_id, version_id: current.version_id,
      commune_id: chosen.id, commune_name: chosen.name, form_code: current.definition.code,
      answers: answers, duration_seconds: Math.round((Date.now() - openedAt) / 1000),
      paradata: tracker ? tracker.snapshot() : undefined
    };
    try {
      keep(item);
    } catch (e) {
      // Quota exceeded: keep the answers on screen, say so, store nothing half-way.
      alert.textContent = M.storage_full; alert.hidden = false;
      return;
    }
    if (navigator.storage && navigator.storage.persist) navigator.storage.persist();
    renderForm();
    var note = $("saved-note");
    note.textContent = M.saved; note.hidden = false;
    window.scrollTo(0, 0);
    showStatus();
    sync();
  }

  // --- Start -------------------------------------------------------------------------------

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(DATA.urls.worker, {scope: DATA.urls.scope});
    navigator.serviceWorker.ready
      .then(function () { return caches.match(DATA.urls.scope); })
      .then(function (kept) {
        var ready = $("offline-ready");
        ready.textContent = kept ? M.ready : M.not_ready;
        ready.setAttribute("data-ready", kept ? "1" : "0");
      });
  }

  if ($("entry")) {
    $("form-choice").addEventListener("change", function () { renderForm(); rememberChoice(); });
    $("questions").addEventListener("change", applyConditions);
    $("entry").addEventListener("submit", save);
    $("entry").addEventListener("input", function () { $("saved-note").hidden = true; });
    $("commune-choice").addEventListener("change", rememberChoice);
    restoreChoice();
  }
  $("send-now").addEventListener("click", sync);
  window.addEventListener("online", sync);
  window.addEventListener("offline", function () { showStatus(); });
  window.addEventListener("storage", function () { showStatus(); });
  setInterval(sync, RETRY_MS);
  registerWorker();
  showStatus();
  sync();
})();
