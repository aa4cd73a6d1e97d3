/* Draws every <canvas data-chart-url> with Chart.js from the JSON the URL answers.
 * The numbers are also in the server-rendered table beneath each chart, so without
 * JavaScript (or if a fetch fails) nothing is lost. */
(function () {
  "use strict";
  var PALETTE = ["#0b4f8a", "#c2410c", "#1d6b3a", "#7c3aed", "#a4161a", "#0f766e",
                 "#92400e", "#4a5360", "#be185d"];

  // Clinical values are drawn as measured: straight lines between points (tension 0), never
  // smoothed; markers and threshold lines are never clipped at the chart's edge.
  function dataset(spec, index, chartType) {
    var colour = spec.colour || PALETTE[index % PALETTE.length];
    var out = {
      label: spec.label,
      data: spec.data,
      borderColor: colour,
      backgroundColor: colour,
      spanGaps: !spec.threshold,
      tension: 0,
      clip: false
    };
    if (spec.type) { out.type = spec.type; }
    if (spec.marker) {
      out.pointStyle = "triangle";
      out.pointRadius = 7;
      out.showLine = false;
    } else if (spec.threshold) {
      out.type = "line";
      out.borderDash = [6, 4];
      out.borderWidth = 2;
      out.pointRadius = 0;
      out.pointHitRadius = 4;
    } else if (chartType === "line") {
      out.pointRadius = 3;
    }
    return out;
  }

  // Time axes say the day on every tick ("9 Mar", "9 Mar 14:00"), never an hour alone.
  var TIME = {
    tooltipFormat: "d MMM yyyy HH:mm",
    displayFormats: { minute: "d MMM HH:mm", hour: "d MMM HH:mm", day: "d MMM",
                      week: "d MMM", month: "MMM yyyy", quarter: "MMM yyyy", year: "yyyy" },
    minUnit: "hour"
  };

  function axis(spec, stacked) {
    var out = { title: { display: !!(spec && spec.title), text: spec ? spec.title : "" },
                ticks: {} };
    if (spec && spec.kind === "time") { out.type = "time"; out.time = TIME; }
    if (spec && spec.min !== undefined) { out.min = spec.min; }
    if (spec && spec.max !== undefined) { out.max = spec.max; }
    if (spec && spec.integer) { out.ticks.precision = 0; }
    if (stacked) { out.stacked = true; }
    return out;
  }

  // The legend names only what is drawn: a dataset with no point is left out of it.
  function drawn(item, data) {
    var found = data.datasets[item.datasetIndex];
    return !!(found && found.data && found.data.some(function (p) {
      return p !== null && (typeof p !== "object" || p.y !== null);
    }));
  }

  function draw(canvas, chart) {
    var config = {
      type: chart.type,
      data: {
        datasets: chart.datasets.map(function (d, i) { return dataset(d, i, chart.type); })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        layout: { padding: { top: 12, right: 12 } },
        interaction: { mode: "nearest", intersect: false },
        scales: { x: axis(chart.x, chart.stacked), y: axis(chart.y, chart.stacked) },
        plugins: {
          legend: { position: "bottom", labels: { filter: drawn } },
          tooltip: {
            callbacks: {
              label: function (item) {
                var raw = item.raw || {};
                var name = raw.name || item.dataset.label;
                return name + ": " + (item.parsed.y === null ? "—" : item.parsed.y);
              }
            }
          }
        }
      }
    };
    if (chart.labels) { config.data.labels = chart.labels; }
    new window.Chart(canvas, config);
  }

  function load(canvas) {
    fetch(canvas.getAttribute("data-chart-url"), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (chart) {
      draw(canvas, chart);
      canvas.closest("figure").classList.add("chart-drawn");
    }).catch(function () {
      var note = canvas.parentNode.querySelector(".chart-status");
      if (note) { note.textContent = "The chart could not be drawn; the table below has the numbers."; }
    });
  }

  function start() {
    if (!window.Chart) { return; }
    Array.prototype.forEach.call(document.querySelectorAll("canvas[data-chart-url]"), load);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
