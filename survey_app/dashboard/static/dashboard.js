/* Draw every chart of the page from the figure JSON the server put beside its table.
   Without this script (or without plotly.js) the tables still carry every number. */
(function () {
  "use strict";
  var config = {displaylogo: false, responsive: true,
                modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]};
  function draw(root) {
    if (!window.Plotly) { return; }
    root.querySelectorAll("[data-figure]:not(.drawn)").forEach(function (el) {
      var figure = JSON.parse(el.getAttribute("data-figure"));
      el.classList.add("drawn");  /* shown first, so that the plot takes its full width */
      window.Plotly.newPlot(el, figure.data, figure.layout, config);
    });
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  /* Sections that take longer to count (the weekly trend) arrive after the page. */
  function load(section) {
    fetch(section.getAttribute("data-src"), {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        section.innerHTML = html;
        section.removeAttribute("data-src");
        draw(section);
      })
      .catch(function () { section.classList.add("failed"); });
  }
  function start() {
    draw(document);
    document.querySelectorAll("[data-src]").forEach(load);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
