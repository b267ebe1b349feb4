/** Picking and summing series out of a parsed /metrics page, by model. */
import type { HistogramValue, ModelValue } from './reading';
import type { TextSample } from './prometheus-text';

/** Sums the samples of the first name present (current name first, then deprecated ones) by model. */
export function sumByModel(samples: TextSample[], names: string[], modelLabel: string | undefined): ModelValue[] {
  for (const name of names) {
    const matching = samples.filter((s) => s.name === name);
    if (matching.length === 0) continue;
    const totals = new Map<string, number>();
    for (const s of matching) {
      const model = modelLabel ? (s.labels[modelLabel] ?? '') : '';
      totals.set(model, (totals.get(model) ?? 0) + s.value);
    }
    return [...totals].map(([model, value]) => ({ model, value }));
  }
  return [];
}

/** Like sumByModel, but a gauge across engines is averaged rather than summed (a ratio). */
export function meanByModel(samples: TextSample[], names: string[], modelLabel: string | undefined): ModelValue[] {
  for (const name of names) {
    const matching = samples.filter((s) => s.name === name);
    if (matching.length === 0) continue;
    const acc = new Map<string, { sum: number; n: number }>();
    for (const s of matching) {
      const model = modelLabel ? (s.labels[modelLabel] ?? '') : '';
      const a = acc.get(model) ?? { sum: 0, n: 0 };
      a.sum += s.value;
      a.n += 1;
      acc.set(model, a);
    }
    return [...acc].map(([model, a]) => ({ model, value: a.sum / a.n }));
  }
  return [];
}

export function histogramByModel(samples: TextSample[], names: string[], modelLabel: string | undefined): HistogramValue[] {
  for (const name of names) {
    const buckets = samples.filter((s) => s.name === `${name}_bucket`);
    if (buckets.length === 0) continue;
    const byModel = new Map<string, HistogramValue>();
    const entry = (model: string) => {
      let h = byModel.get(model);
      if (!h) {
        h = { model, buckets: new Map(), sum: 0, count: 0 };
        byModel.set(model, h);
      }
      return h;
    };
    const modelOf = (s: TextSample) => (modelLabel ? (s.labels[modelLabel] ?? '') : '');
    for (const s of buckets) {
      const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
      if (Number.isNaN(le)) continue;
      const h = entry(modelOf(s));
      h.buckets.set(le, (h.buckets.get(le) ?? 0) + s.value);
    }
    for (const s of samples) {
      if (s.name === `${name}_sum`) entry(modelOf(s)).sum += s.value;
      if (s.name === `${name}_count`) entry(modelOf(s)).count += s.value;
    }
    return [...byModel.values()];
  }
  return [];
}
