/* Jiuzhu charts (core/_chart.html): draws each figure[data-chart] from its JSON with the vendored
   ECharts, readable at its box's width (a phone's 390 px too: compact value labels, fewer ticks,
   rotated or shortened category labels, a height that fits the categories), redrawn when the
   width changes, and saves it as a PNG on a white background under its full title (pasted into
   a report). Without the script the figure's table still holds every value. */
(function () {
  var palette = ["#b4232a", "#0b5cad", "#1e7a46", "#9a6700", "#6b4fa0", "#5f6b7a"];
  var NARROW = 560; // a box narrower than this (a phone) gets the compact labels
  var english = /^en/i.test(document.documentElement.lang || "");

  function fixed(value, places) {
    return value.toLocaleString("en-US", { minimumFractionDigits: places, maximumFractionDigits: places });
  }
  function plain(value) {
    return value.toLocaleString("en-US", { maximumFractionDigits: 2 });
  }
  // A value-axis label in a few characters (3.5万, 35k): the tooltip and the table keep it exact.
  function compact(value) {
    var steps = english ? [[1e9, "B"], [1e6, "M"], [1e3, "k"]] : [[1e8, "亿"], [1e4, "万"]];
    for (var i = 0; i < steps.length; i++) {
      if (Math.abs(value) >= steps[i][0]) { return plain(+(value / steps[i][0]).toFixed(1)) + steps[i][1]; }
    }
    return plain(value);
  }
  // A label's width in pixels, roughly: a CJK character is square, a Latin one about 0.6 em.
  function textWidth(text, size) {
    var width = 0;
    for (var i = 0; i < text.length; i++) { width += text.charCodeAt(i) > 255 ? size : size * 0.6; }
    return width;
  }
  function height(data, width) {
    if (data.horizontal) {
      var bars = data.stacked ? 1 : data.series.length;
      var legend = data.series.length > 1 ? 36 : 16;
      return Math.max(240, legend + 44 + data.categories.length * (bars > 1 ? 24 : 20));
    }
    return width < NARROW ? 340 : 320;
  }

  function options(data, width) {
    var narrow = width < NARROW;
    var font = narrow ? 11 : 12;
    var labelWidth = narrow ? 84 : 150; // longer category labels end in "…" (the table has them whole)
    var categoryLabel = { interval: 0, fontSize: font, hideOverlap: true, width: labelWidth, overflow: "truncate" };
    if (!data.horizontal) {
      var longest = data.categories.reduce(function (w, c) { return Math.max(w, textWidth(c, font)); }, 0);
      var slot = (width - 64) / Math.max(data.categories.length, 1);
      categoryLabel.rotate = Math.min(longest, labelWidth) + 6 > slot ? (narrow ? 45 : 40) : 0;
    }
    var valueAxis = {
      type: "value",
      splitNumber: narrow ? 3 : 5,
      axisLabel: { fontSize: font, hideOverlap: true, formatter: narrow ? compact : plain }
    };
    // Counts (households, persons) tick whole numbers: no axis of 0.2 households.
    if (data.decimals === 0) { valueAxis.minInterval = 1; }
    // The last value label ends at the axis' end instead of overhanging the chart's edge.
    if (data.horizontal) { valueAxis.axisLabel.alignMaxLabel = "right"; }
    var categoryAxis = { type: "category", data: data.categories, axisLabel: categoryLabel, inverse: data.horizontal };
    var several = data.series.length > 1;
    return {
      color: palette,
      animation: false,
      tooltip: {
        trigger: "axis",
        confine: true,
        valueFormatter: function (v) {
          return v === null || v === undefined || v === "-" ? "—" : fixed(v, data.decimals) + (data.unit ? " " + data.unit : "");
        }
      },
      legend: { top: 0, show: several, type: "scroll" },
      grid: { left: 8, right: 16, top: several ? 36 : 16, bottom: 8, containLabel: true },
      xAxis: data.horizontal ? valueAxis : categoryAxis,
      yAxis: data.horizontal ? categoryAxis : valueAxis,
      series: data.series.map(function (s) {
        return { name: s.name, type: data.kind, data: s.values, stack: data.stacked ? "total" : undefined, connectNulls: false };
      })
    };
  }

  // The image leaves the page's caption behind: it carries the full title (and unit) above the
  // chart, on as many lines as it needs, in a box made taller by as much.
  function save(figure, box, chart, data) {
    var width = box.clientWidth;
    var lines = Math.ceil(textWidth(data.export_title, 14) / Math.max(width - 32, 100));
    var extra = lines * 20 + 12;
    var option = options(data, width);
    option.title = { text: data.export_title, left: "center", top: 6, textStyle: { fontSize: 14, width: width - 32, overflow: "break" } };
    option.grid.top += extra;
    option.legend.top = extra;
    box.style.height = height(data, width) + extra + "px";
    chart.resize();
    chart.setOption(option, true);
    var link = document.createElement("a");
    link.href = chart.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    link.download = figure.getAttribute("data-filename") + ".png";
    box.style.height = height(data, width) + "px";
    chart.resize();
    chart.setOption(options(data, width), true);
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function draw(figure) {
    var source = document.getElementById(figure.getAttribute("data-chart"));
    var box = figure.querySelector(".chart-canvas");
    if (!source || !box) { return; }
    var data = JSON.parse(source.textContent);
    box.hidden = false;
    box.style.height = height(data, box.clientWidth) + "px";
    var chart = window.echarts.init(box, null, { renderer: "canvas" });
    var drawnWidth = box.clientWidth;
    chart.setOption(options(data, drawnWidth));
    window.addEventListener("resize", function () {
      if (box.clientWidth === drawnWidth) { return; }
      drawnWidth = box.clientWidth;
      box.style.height = height(data, drawnWidth) + "px";
      chart.resize();
      chart.setOption(options(data, drawnWidth), true);
    });
    var button = figure.querySelector("[data-chart-save]");
    if (button) {
      button.hidden = false;
      button.addEventListener("click", function () { save(figure, box, chart, data); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.echarts) { return; }
    document.querySelectorAll("figure[data-chart]").forEach(draw);
  });
})();
