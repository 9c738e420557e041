// Bar charts drawn in the browser by ECharts (served by the app: /static/vendor/echarts/).
// Each <figure class="chart" data-chart='{"title", "labels", "values", "unit"}'> becomes one;
// the numbers stay in the table beside it for readers without script.
(function () {
  if (!window.echarts) return;
  document.querySelectorAll("figure.chart[data-chart]").forEach(function (figure) {
    var spec = JSON.parse(figure.getAttribute("data-chart"));
    var chart = window.echarts.init(figure, null, { renderer: "canvas" });
    chart.setOption({
      title: { text: spec.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { left: 48, right: 16, top: 40, bottom: 32 },
      xAxis: { type: "category", data: spec.labels },
      yAxis: { type: "value", name: spec.unit, minInterval: 1 },
      series: [{ type: "bar", data: spec.values, itemStyle: { color: "#1f3a5f" } }],
    });
    figure.setAttribute("data-drawn", "echarts");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
