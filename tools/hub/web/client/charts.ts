// The office page's only script: draws the charts whose data the server put
// in <script type="application/json" data-chart> blocks (uPlot). Without it
// the same figures are in the table under each chart.
import uPlot from "uplot";

interface ChartData { title: string; labels: string[]; series: { name: string; values: number[] }[]; unit: string }

const COLOURS = ["#1a5fb4", "#c64600", "#26a269", "#813d9c", "#5e5c64"];

for (const block of document.querySelectorAll<HTMLScriptElement>("script[type='application/json'][data-chart]")) {
  const data = JSON.parse(block.textContent ?? "{}") as ChartData;
  const target = document.getElementById(block.dataset.chart ?? "");
  if (!target) continue;
  const width = Math.min(target.clientWidth || 640, 960);
  const xs = data.labels.map((_, i) => i);
  new uPlot({
    title: data.title, width, height: 240,
    scales: { x: { time: false } },
    axes: [{ values: (_u, ticks) => ticks.map((t) => data.labels[t] ?? "") }, { label: data.unit }],
    series: [{}, ...data.series.map((s, i) => ({ label: s.name, stroke: COLOURS[i % COLOURS.length], width: 2, points: { show: true } }))],
  }, [xs, ...data.series.map((s) => s.values)], target);
  target.setAttribute("data-drawn", "1");
}
