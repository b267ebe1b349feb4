import { ButtonDebouncer } from './debounce';
import type { Edge } from './dialects';

const ms = (n: number) => BigInt(Math.round(n * 1_000_000));

function presses(events: Array<[Edge, number]>, options = { offset: 17, activeLow: true, debounceMs: 50 }): number[] {
  const debouncer = new ButtonDebouncer(options);
  const accepted: number[] = [];
  for (const [edge, atMs] of events) if (debouncer.accept({ offset: 17, edge, timestampNs: ms(atMs) })) accepted.push(atMs);
  return accepted;
}

describe('ButtonDebouncer', () => {
  it('turns a chattering press and release into one press, at its first edge', () => {
    expect(presses([['falling', 1000], ['rising', 1000.4], ['falling', 1001], ['rising', 1001.8], ['falling', 1002.8], ['rising', 1250], ['falling', 1250.5], ['rising', 1251.2]])).toEqual([1000]);
  });

  it('counts two deliberate presses, and ignores the release edge of an active-low button', () => {
    expect(presses([['falling', 1000], ['rising', 1300], ['falling', 2000], ['rising', 2300]])).toEqual([1000, 2000]);
  });

  it('follows the active level: an active-high button presses on the rising edge', () => {
    expect(presses([['rising', 1000], ['falling', 1200]], { offset: 17, activeLow: false, debounceMs: 50 })).toEqual([1000]);
  });

  it('ignores other lines', () => {
    const debouncer = new ButtonDebouncer({ offset: 17, activeLow: true, debounceMs: 50 });
    expect(debouncer.accept({ offset: 22, edge: 'falling', timestampNs: ms(1) })).toBe(false);
  });
});
