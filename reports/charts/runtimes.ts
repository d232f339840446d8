/**
 * The same backend across runtimes: one bar per runtime for each configuration measured on two or
 * more, Node's lines side by side (node, node@24, node@22: how the same kernel runs on each), each
 * bar labelled with the exact version that ran.
 */
import { compareRuntimeNames, RUNTIME_NAMES } from '../../src/model/runtimes.ts';
import { formatShape } from '../../src/text/format.ts';
import { runtimeColor } from './colors.ts';
import type { ChartDefinition } from './definition.ts';
import type { ChartInput } from './input.ts';
import { distinct, groupBy, perMachine, slug, wantsLog } from './panels.ts';
import type { ChartGroup, ChartSeries } from './spec.ts';

function runtimeGroups(input: ChartInput): ChartGroup[] {
  return [...groupBy(input.comparisons, (m) => m.comparison.backend)].flatMap(([backend, items]) => {
    const group = perMachine(input, items, (ofMachine) => {
      const runtimes = distinct(ofMachine.map((m) => m.comparison.runtime)).sort(compareRuntimeNames);
      if (runtimes.length < 2) return undefined;
      const byShape = groupBy(ofMachine, (m) => formatShape(m.comparison.shape));
      const categories = [...byShape].filter(([, ms]) => distinct(ms.map((m) => m.comparison.runtime)).length >= 2).map(([label]) => label);
      if (categories.length === 0) return undefined;
      const series: ChartSeries[] = runtimes.map((runtime) => ({
        label: withVersions(runtime, ofMachine),
        color: runtimeColor(runtime),
        role: 'measured' as const,
        points: categories.flatMap((label) => {
          const c = byShape.get(label)!.find((m) => m.comparison.runtime === runtime)?.comparison;
          return c ? [{ x: label, y: c.speedup, low: c.speedupCiLow, high: c.speedupCiHigh }] : [];
        }),
      }));
      return {
        id: `runtimes-${slug(backend)}`,
        title: `Backend ${backend} across runtimes`,
        subtitle: 'FFF speedup over dense per configuration, one bar per runtime; bars: 95% bootstrap interval',
        type: 'bar',
        x: { label: 'configuration', log: false, categories },
        y: { label: 'speedup (×)', log: wantsLog(series), unit: 'ratio' },
        series,
      };
    });
    return group ? [group] : [];
  });
}

/** "node@22 22.23.2": the runtime as named, and the version(s) its FFF results ran on. */
function withVersions(runtime: string, items: ChartInput['comparisons']): string {
  const versions = distinct(items.filter((m) => m.comparison.runtime === runtime).map((m) => m.fff.runtime.version)).sort();
  return versions.length > 0 ? `${runtime} ${versions.join(', ')}` : runtime;
}

export const runtimesChart: ChartDefinition = {
  id: 'runtimes',
  title: 'Runtimes compared',
  description: `The same backend on ${RUNTIME_NAMES.slice(0, -1).join(', ')} and ${RUNTIME_NAMES.at(-1)} (node is the pinned Active LTS Node, node@N another pinned Node line), each bar labelled with the version that ran.`,
  build: (input) => ({ groups: runtimeGroups(input) }),
  whenEmpty: (input) => {
    const runtimes = distinct(input.comparisons.map((m) => m.comparison.runtime));
    return runtimes.length < 2
      ? `No chart: only ${runtimes.join(', ') || 'no runtime'} measured; run with --runtimes ${RUNTIME_NAMES.join(',')} to compare.`
      : 'No chart: no configuration was measured on two runtimes with the same backend.';
  },
};
