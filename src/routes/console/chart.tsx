import type { FC } from "hono/jsx";

/**
 * A line chart drawn on the server as inline SVG (docs/rules.md#consoles): no script, no other host, and readable by
 * assistive technology as one image with a title and a description (the same numbers are in a table beside it).
 * Colours come from console.css by series class; each series also has its own dash pattern, so the lines differ
 * without colour too.
 */
export type ChartSeries = { key: string; label: string; values: number[] };

const W = 640;
const H = 220;
const LEFT = 44;
const RIGHT = 12;
const TOP = 12;
const BOTTOM = 28;
const DASHES = ["", "6 4", "2 3", "10 3 2 3", "1 5", "12 6"];

/** A round ceiling for the y axis: 1, 2, 5 × 10^n. */
function niceMax(max: number): number {
  if (max <= 1) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * step).find((v) => v >= max) ?? max;
}

export const LineChart: FC<{ id: string; title: string; desc: string; labels: string[]; series: ChartSeries[] }> = ({
  id,
  title,
  desc,
  labels,
  series,
}) => {
  const top = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  const x = (i: number) => LEFT + (labels.length <= 1 ? plotW / 2 : (i * plotW) / (labels.length - 1));
  const y = (v: number) => TOP + plotH - (v / top) * plotH;
  const ticks = [0, top / 2, top];
  return (
    <figure class="chart">
      <svg
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        focusable="false"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{desc}</desc>
        <g class="axis">
          {ticks.map((v) => (
            <>
              <line x1={LEFT} x2={W - RIGHT} y1={y(v)} y2={y(v)} class="grid-line" />
              <text x={LEFT - 6} y={y(v) + 4} text-anchor="end">
                {Number.isInteger(v) ? v : v.toFixed(1)}
              </text>
            </>
          ))}
          {labels.length > 0 ? (
            <>
              <text x={x(0)} y={H - 8} text-anchor={labels.length <= 1 ? "middle" : "start"}>
                {labels[0]}
              </text>
              {labels.length > 1 ? (
                <text x={x(labels.length - 1)} y={H - 8} text-anchor="end">
                  {labels.at(-1)}
                </text>
              ) : null}
            </>
          ) : null}
        </g>
        {series.map((s, n) => (
          <g class={`series s-${s.key}`}>
            {s.values.length > 1 ? (
              <polyline
                fill="none"
                stroke-width="2"
                stroke-dasharray={DASHES[n % DASHES.length] || undefined}
                points={s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(" ")}
              />
            ) : null}
            {s.values.map((v, i) => (
              <circle cx={x(i).toFixed(1)} cy={y(v).toFixed(1)} r="3" />
            ))}
          </g>
        ))}
      </svg>
      <figcaption>
        <ul class="legend">
          {series.map((s, n) => (
            <li>
              <svg viewBox="0 0 28 8" width="28" height="8" aria-hidden="true" class={`series s-${s.key}`}>
                <line
                  x1="0"
                  x2="28"
                  y1="4"
                  y2="4"
                  stroke-width="2"
                  stroke-dasharray={DASHES[n % DASHES.length] || undefined}
                />
              </svg>{" "}
              {s.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
};
