/* Draw every chart of the page from the figure JSON the server put beside its table.
   Without this script (or without plotly.js) the tables still carry every number: they are
   shown at once, and the charts follow one by one, each in its own frame. plotly.js is
   fetched once the page has loaded, so that on a slow link the page comes first. */
(function () {
  "use strict";
  var PLOTLY = document.currentScript && document.currentScript.getAttribute("data-plotly");
  var plotlyLoaded = null;
  function plotly() {
    if (!plotlyLoaded) {
      plotlyLoaded = new Promise(function (resolve, reject) {
        if (window.Plotly || !PLOTLY) { resolve(); return; }
        var script = document.createElement("script");
        script.src = PLOTLY;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    }
    return plotlyLoaded;
  }
  /* plotly.js's own Vietnamese locale carries dates only (its dictionary is empty): the
     words of the toolbar and of the interactions a committee meets are added here. */
  var VIETNAMESE = {
    moduleType: "locale",
    name: "vi",
    dictionary: {
      "Download plot as a PNG": "Tải biểu đồ về (ảnh PNG)",
      "Download plot": "Tải biểu đồ về",
      "Reset axes": "Đặt lại trục",
      "Autoscale": "Tự động co giãn",
      "Zoom": "Phóng to vùng chọn",
      "Pan": "Kéo",
      "Zoom in": "Phóng to",
      "Zoom out": "Thu nhỏ",
      "Double-click to zoom back out": "Nhấp đúp để trở lại",
      "Snapshot succeeded": "Đã lưu ảnh",
      "Taking snapshot - this may take a few seconds": "Đang lưu ảnh, xin chờ vài giây",
      "Toggle Spike Lines": "Bật/tắt đường gióng",
      "Toggle show closest data on hover": "Hiện điểm gần nhất khi di chuột",
      "Show closest data on hover": "Hiện điểm gần nhất khi di chuột",
      "Compare data on hover": "So sánh khi di chuột"
    },
    format: {
      days: ["Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"],
      shortDays: ["CN", "T2", "T3", "T4", "T5", "T6", "T7"],
      months: ["Tháng Một", "Tháng Hai", "Tháng Ba", "Tháng Tư", "Tháng Năm", "Tháng Sáu",
               "Tháng Bảy", "Tháng Tám", "Tháng Chín", "Tháng Mười", "Tháng Mười Một",
               "Tháng Mười Hai"],
      shortMonths: ["Th1", "Th2", "Th3", "Th4", "Th5", "Th6", "Th7", "Th8", "Th9", "Th10",
                    "Th11", "Th12"],
      date: "%d/%m/%Y",
      decimal: ",",
      thousands: "."
    }
  };
  /* The toolbar keeps what a committee uses: the picture for a report. */
  function config(el) {
    return {displaylogo: false, responsive: true, locale: "vi",
            modeBarButtons: [["toImage"]],
            toImageButtonOptions: {filename: el.id.replace("chart-", "bieu-do-"), scale: 2}};
  }
  var registered = false;
  /* The page's own files first: plotly.js is asked for after the load event. */
  var pageLoaded = new Promise(function (resolve) {
    if (document.readyState === "complete") { resolve(); return; }
    window.addEventListener("load", function () { resolve(); });
  });
  function draw(root) {
    if (!root.querySelector("[data-figure]:not(.drawn)")) { return; }
    pageLoaded.then(plotly).then(function () { drawAll(root); }, function () {});
  }
  function drawAll(root) {
    if (!window.Plotly) { return; }
    if (!registered) { window.Plotly.register(VIETNAMESE); registered = true; }
    var pending = Array.prototype.slice.call(root.querySelectorAll("[data-figure]:not(.drawn)"));
    function next() {
      var el = pending.shift();
      if (!el) { return; }
      var figure = JSON.parse(el.getAttribute("data-figure"));
      el.classList.add("drawn");  /* shown first, so that the plot takes its full width */
      window.Plotly.newPlot(el, figure.data, figure.layout, config(el));
      window.requestAnimationFrame(next);
    }
    window.requestAnimationFrame(next);
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
    document.querySelectorAll("[data-src]").forEach(load);
    draw(document);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
