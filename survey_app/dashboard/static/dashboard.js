/* Draw every chart of the page from the figure JSON the server put beside its table.
   Without this script (or without plotly.js) the tables still carry every number. */
(function () {
  "use strict";
  var config = {displaylogo: false, responsive: true,
                modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d"]};
  function draw() {
    if (!window.Plotly) { return; }
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var figure = JSON.parse(el.getAttribute("data-figure"));
      el.classList.add("drawn");  /* shown first, so that the plot takes its full width */
      window.Plotly.newPlot(el, figure.data, figure.layout, config);
    });
  }
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
