import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { SeriesUnit } from '../../../shared/contract/monitoring.js';
import { formatValue } from '../format.js';

export interface ChartLine {
  label: string;
  /** seconds since 1970 */
  t: number[];
  value: number[];
  /** seconds per bucket: a longer pause than this shows as a gap */
  step: number;
}

const COLORS = ['#2f6fde', '#1e8e3e', '#b7791f', '#c5221f', '#6b4fbb'];

/** Puts a null where samples stop for longer than 2.5 buckets, so the line breaks instead of bridging the pause. */
function withGaps(line: ChartLine): [number[], (number | null)[]] {
  const t: number[] = [];
  const v: (number | null)[] = [];
  for (let i = 0; i < line.t.length; i++) {
    if (i > 0 && line.t[i]! - line.t[i - 1]! > line.step * 2.5) {
      t.push(line.t[i - 1]! + line.step);
      v.push(null);
    }
    t.push(line.t[i]!);
    v.push(line.value[i]!);
  }
  return [t, v];
}

/**
 * A time chart (uPlot: canvas, fast with thousands of points). Lines with
 * different timestamps are joined on one time axis.
 */
export function TimeChart({
  id,
  lines,
  unit,
  from,
  to,
}: {
  id: string;
  lines: ChartLine[];
  unit: SeriesUnit | 'per-minute';
  from: number;
  to: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const points = lines.reduce((n, line) => n + line.t.length, 0);

  useEffect(() => {
    const element = box.current;
    if (!element || points === 0) return;
    const tables = lines.map((line) => withGaps(line) as uPlot.AlignedData);
    const data = tables.length === 1 ? tables[0]! : uPlot.join(tables);
    const format = (v: number | null) => formatValue(v, unit);
    const options: uPlot.Options = {
      width: Math.max(200, element.clientWidth),
      height: 190,
      scales: {
        x: { time: true, range: () => [from, to] },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      series: [
        { label: 'Time' },
        ...lines.map((line, i) => ({
          label: line.label,
          stroke: COLORS[i % COLORS.length],
          width: 1.5,
          spanGaps: false,
          points: { show: line.t.length < 3 },
          value: (_u: uPlot, v: number | null) => format(v),
        })),
      ],
      axes: [{ stroke: '#5f6b7a' }, { stroke: '#5f6b7a', size: 70, values: (_u, values) => values.map((v) => format(v)) }],
      legend: { show: true },
      cursor: { drag: { x: false, y: false } },
    };
    plot.current = new uPlot(options, data, element);
    const resize = new ResizeObserver(() => plot.current?.setSize({ width: Math.max(200, element.clientWidth), height: 190 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [lines, unit, from, to, points]);

  if (points === 0) {
    return (
      <p className="muted chart-empty" data-testid={`chart-${id}`} data-points={0}>
        No samples in this range yet.
      </p>
    );
  }
  return <div ref={box} className="chart" data-testid={`chart-${id}`} data-points={points} />;
}
