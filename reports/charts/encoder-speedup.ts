/**
 * The encoder layer end to end: the tree layer's speedup over the dense layer against tokens per
 * call (sequences × sequence length), next to the feedforward's own speedup in the same run (the
 * layer-only curve) and the Amdahl bound the split allows. One chart per dense layer compared
 * against (BERT-base's 3072, the 4095 the 78x is measured against); a line per tree feedforward.
 */
import { QUESTION } from '../../src/claims/encoder-question.ts';
import { colorMap, REFERENCE_COLOR } from './colors.ts';
import type { ChartDefinition } from './definition.ts';
import type { ChartInput } from './input.ts';
import { distinct, groupBy, hasLine, horizontal, perMachine, slug, wantsLog } from './panels.ts';
import type { ChartGroup, ChartSeries } from './spec.ts';

function encoderGroups(input: ChartInput): { groups: ChartGroup[]; leftOut: string[] } {
  const color = colorMap(distinct(input.encoder.map((p) => p.comparison.feedforward)).map((f) => ({ runtime: '', backend: f })));
  const groups: ChartGroup[] = [];
  const leftOut: string[] = [];
  const byBaseline = groupBy(
    input.encoder,
    (p) => `${p.comparison.baseline}/h${p.tree.shape.inputDim}-a${p.tree.shape.encoder!.heads}-s${p.tree.shape.encoder!.seqLen}`,
  );
  for (const [key, points] of byBaseline) {
    const { baseline } = points[0].comparison;
    const { inputDim: hidden, encoder } = points[0].tree.shape;
    const group = perMachine(input, points, (ofMachine) => {
      const runtimes = distinct(ofMachine.map((p) => p.comparison.runtime));
      const series: ChartSeries[] = [];
      for (const line of groupBy(ofMachine, (p) => `${p.comparison.runtime}/${p.comparison.feedforward}`).values()) {
        const { runtime, feedforward } = line[0].comparison;
        const name = runtimes.length > 1 ? `${feedforward} (${runtime})` : feedforward;
        const sorted = [...line].sort((a, b) => a.comparison.tokens - b.comparison.tokens).map((p) => p.comparison);
        const c = color('', feedforward);
        series.push({
          label: `${name}: end to end`,
          color: c,
          role: 'measured',
          pointStyle: 'circle',
          points: sorted.map((p) => ({ x: p.tokens, y: p.speedup, low: p.speedupCiLow, high: p.speedupCiHigh })),
        });
        const alone = sorted.filter((p) => p.feedforwardSpeedup !== undefined);
        if (alone.length > 0)
          series.push({
            label: `${name}: feedforward alone`,
            color: c,
            role: 'measured',
            dashed: true,
            pointStyle: 'triangle',
            points: alone.map((p) => ({ x: p.tokens, y: p.feedforwardSpeedup!, low: p.feedforwardSpeedupCiLow, high: p.feedforwardSpeedupCiHigh })),
          });
        const bound = sorted.filter((p) => p.amdahlBound !== undefined);
        if (bound.length > 0)
          series.push({
            label: `${name}: Amdahl bound`,
            color: c,
            role: 'bound',
            dashed: true,
            pointStyle: 'crossRot',
            points: bound.map((p) => ({ x: p.tokens, y: p.amdahlBound! })),
          });
      }
      if (!hasLine(series)) return undefined;
      series.push(
        horizontal(
          'break-even (1x)',
          1,
          ofMachine.map((p) => p.comparison.tokens),
          REFERENCE_COLOR,
          'reference',
        ),
      );
      return {
        id: `encoder-speedup-${slug(key)}`,
        title: `Encoder layer, trees against ${baseline}: hidden ${hidden}, ${encoder!.heads} heads, sequences of ${encoder!.seqLen}`,
        subtitle:
          'Tree layer over dense layer, whole calls (circles, 95% bootstrap interval); the feedforward alone, same run (triangles, dashed); the Amdahl bound from the dense layer’s split (crosses)',
        type: 'line',
        x: { label: 'tokens per call (sequences × sequence length)', log: true, powersOfTwo: true },
        y: { label: 'speedup (×)', log: wantsLog(series), unit: 'ratio' },
        series,
      };
    });
    if (group) groups.push(group);
    else leftOut.push(`against ${baseline}: one token count only, its speedups are in the encoder tables.`);
  }
  return { groups, leftOut };
}

export const encoderSpeedupChart: ChartDefinition = {
  id: 'encoder-speedup',
  title: 'Encoder layer: end-to-end speedup vs tokens per call',
  description:
    "How much of the feedforward's speedup a whole BERT-base encoder layer keeps: the tree layer against the dense layer end to end, beside the feedforward alone (the layer-only speedup, same run) and Amdahl's bound 1 / ((1 − f) + f / s) from the dense layer's split.",
  build: encoderGroups,
  whenEmpty: () =>
    `No chart: no tree-feedforward and dense-feedforward encoder layers of one configuration were both measured at two or more token counts; run the ${QUESTION.suite} suite (${QUESTION.command}).`,
  onlyWhen: (input) => input.encoder.length > 0,
};
