/* Jiuzhu charts (core/_chart.html): draws each figure[data-chart] from its JSON with the vendored
   ECharts, keeps it sized to its box, and saves it as a PNG on a white background (pasted into a
   report). Without the script the figure's table still holds every value. */
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) { return; }
  var palette = ["#b4232a", "#0b5cad", "#1e7a46", "#9a6700", "#6b4fa0", "#5f6b7a"];
  document.querySelectorAll("figure[data-chart]").forEach(function (figure) {
    var source = document.getElementById(figure.getAttribute("data-chart"));
    var box = figure.querySelector(".chart-canvas");
    if (!source || !box) { return; }
    var data = JSON.parse(source.textContent);
    var categoryAxis = { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: data.horizontal ? 0 : (data.categories.length > 8 ? 40 : 0) } };
    var valueAxis = { type: "value", name: data.unit };
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    chart.setOption({
      color: palette,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, show: data.series.length > 1 },
      grid: { left: 8, right: 16, top: data.series.length > 1 ? 32 : 16, bottom: 8, containLabel: true },
      xAxis: data.horizontal ? valueAxis : categoryAxis,
      yAxis: data.horizontal ? Object.assign({}, categoryAxis, { inverse: true, axisLabel: { interval: 0 } }) : valueAxis,
      series: data.series.map(function (s) {
        return { name: s.name, type: data.kind, data: s.values, stack: data.stacked ? "total" : undefined, connectNulls: false };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
    var save = figure.querySelector("[data-chart-save]");
    if (save) {
      save.hidden = false;
      save.addEventListener("click", function () {
        // The image carries its title and unit (the page's caption does not go with it).
        var grid = chart.getOption().grid[0];
        chart.setOption({ title: { text: data.title + (data.unit ? "（" + data.unit + "）" : ""), left: "center", textStyle: { fontSize: 14 } }, grid: { top: grid.top + 28 }, legend: { top: 24 } });
        var link = document.createElement("a");
        link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
        chart.setOption({ title: { text: "" }, grid: { top: grid.top }, legend: { top: 0 } });
        link.download = figure.getAttribute("data-filename") + ".png";
        document.body.appendChild(link);
        link.click();
        link.remove();
      });
    }
  });
});
