// A job's page with JavaScript: ask the small JSON state every second and move the bar,
// instead of the page's own refresh; reload once the job has ended, to show its outcome.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) { return; }
  var refresh = document.querySelector('meta[http-equiv="refresh"]');
  if (refresh) { refresh.remove(); }
  var bar = document.getElementById("job-bar");
  var count = document.getElementById("job-count");
  var status = document.getElementById("job-status");
  var stage = document.getElementById("job-stage");
  function look() {
    fetch(box.dataset.stateUrl, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (reply) { return reply.ok ? reply.json() : Promise.reject(reply.status); })
      .then(function (state) {
        if (state.finished) { window.location.reload(); return; }
        status.textContent = state.status_text;
        stage.textContent = state.stage_text ? " · " + state.stage_text : "";
        if (bar) { bar.value = state.percent; bar.textContent = state.percent + "%"; }
        if (count) {
          count.textContent = (state.total ? state.done + " / " + state.total + " · " : "") +
            state.percent + "%";
        }
        window.setTimeout(look, 1000);
      })
      .catch(function () { window.setTimeout(look, 3000); });
  }
  window.setTimeout(look, 500);
})();
