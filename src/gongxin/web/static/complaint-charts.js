// The complaint report's daily curve, drawn by ECharts (served by the app: /static/vendor/echarts/).
// <figure class="chart trend" data-chart='{"title", "labels", "series": [{"name", "values"}], "unit"}'>
// becomes a line chart; the same numbers stay in the table beside it and in the CSV.
(function () {
  if (!window.echarts) return;
  var colours = ["#8fa8c8", "#1f3a5f"];
  document.querySelectorAll("figure.chart.trend[data-chart]").forEach(function (figure) {
    var spec = JSON.parse(figure.getAttribute("data-chart"));
    var chart = window.echarts.init(figure, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      title: { text: spec.title, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      grid: { left: 48, right: 16, top: 40, bottom: 56 },
      xAxis: { type: "category", data: spec.labels, boundaryGap: false },
      yAxis: { type: "value", name: spec.unit, minInterval: 1 },
      series: spec.series.map(function (s, i) {
        return { name: s.name, type: "line", data: s.values, smooth: false,
                 symbolSize: 5, itemStyle: { color: colours[i % colours.length] } };
      }),
    });
    figure.setAttribute("data-drawn", "echarts");
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
