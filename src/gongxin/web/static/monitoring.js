// Monitoring charts drawn in the browser by ECharts (served by the app: /static/vendor/echarts/).
// Each <figure class="mchart" data-chart='{"title", "kind", "unit", "labels", "series"}'>
// becomes one chart (line or bar, one series per entry); the numbers stay in the table below it.
(function () {
  if (!window.echarts) return;
  var colours = ["#1f3a5f", "#c23531", "#2f8f5b", "#d48a1f", "#6b4c9a"];
  document.querySelectorAll("figure.mchart[data-chart]").forEach(function (figure) {
    var spec = JSON.parse(figure.getAttribute("data-chart"));
    var chart = window.echarts.init(figure, null, { renderer: "canvas" });
    chart.setOption({
      color: colours,
      title: { text: spec.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 56, right: 16, top: 40, bottom: 64, containLabel: false },
      xAxis: {
        type: "category", data: spec.labels,
        axisLabel: {
          // every group named under a bar chart; a month series thins its own labels
          interval: spec.kind === "line" ? "auto" : 0,
          rotate: spec.labels.length > 6 ? 35 : 0, fontSize: 11,
        },
      },
      yAxis: {
        type: "value", name: spec.unit, max: spec.unit === "%" ? 100 : null,
        minInterval: spec.unit === "%" ? 0 : 1,
      },
      series: spec.series.map(function (s) {
        return {
          name: s.name, type: spec.kind === "line" ? "line" : "bar", data: s.values,
          showSymbol: false,
        };
      }),
    });
    figure.setAttribute("data-drawn", "echarts");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
