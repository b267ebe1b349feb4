/**
 * The two generations of libgpiod's command-line tools, as arguments to build and output to parse.
 * Read from libgpiod's own sources (github.com/brgl/libgpiod):
 *   - 1.6.x (Debian 12 bookworm, Raspberry Pi OS bookworm: 1.6.3): branch v1.6.x, tools/gpiomon.c,
 *     tools/gpioset.c, tools/gpioget.c, tools/gpiodetect.c, tools/tools-common.c, tests in
 *     tools/gpio-tools-test.bats.
 *   - 2.x (Debian 13 trixie: 2.2.1): branch v2.2.x, the same tools and tools/gpio-tools-test.bash.
 * The differences that matter here:
 *   - 1.6 takes the chip as the first positional argument (`gpiomon gpiochip0 17`); 2.x takes it as
 *     `--chip` and only lines as positionals (`gpiomon --chip gpiochip0 17`).
 *   - `-b` is `--line-buffered` in 1.6 gpiomon but `--bias` in 2.x; 1.6 spells bias `--bias`/`-B`
 *     with values as-is|disable|pull-up|pull-down, 2.x pull-up|pull-down|disabled (no as-is).
 *   - 1.6 gpiomon block-buffers stdout on a pipe unless `--line-buffered`; 2.x flushes per poll.
 *   - `--format` `%e`: 1.6 prints 1 rising / 0 falling; 2.x prints 1 rising / 2 falling
 *     (GPIOD_EDGE_EVENT_RISING_EDGE = 1, GPIOD_EDGE_EVENT_FALLING_EDGE = 2). Timestamps: 1.6 has
 *     `%s` and `%n` printed with `%ld` (nanoseconds not zero-padded); 2.x has `%S`, printed
 *     `%PRIu64.%09PRIu64`.
 *   - 2.x gpiomon can debounce in the kernel (`--debounce-period 10ms`); 1.6 cannot.
 *   - gpioset 1.6 holds a value with `--mode=time --sec=S --usec=U`; 2.x toggles through a sequence
 *     with `--toggle P1,P2,…,0` and exits after a last period of 0.
 *   - gpioget 1.6 prints `0`/`1`; 2.x prints `"17"=active` unless `--numeric`.
 *   - `--version` prints `<tool> (libgpiod) v<version>` in both.
 */

export type Generation = 1 | 2;
export type Bias = 'as-is' | 'pull-up' | 'pull-down' | 'disabled';
export type Edge = 'rising' | 'falling';

export interface EdgeEvent {
  offset: number;
  edge: Edge;
  /** The kernel's event timestamp in nanoseconds (CLOCK_MONOTONIC on current kernels). */
  timestampNs: bigint;
}

export interface MonitorOptions {
  chip: string;
  offsets: number[];
  bias: Bias;
  /** Kernel debounce where the tools can ask for it (2.x); 0 for none. */
  debounceMs: number;
}

export interface LineRead {
  chip: string;
  offset: number;
  bias: Bias;
  activeLow: boolean;
}

export interface PulseOptions {
  chip: string;
  offset: number;
  activeLow: boolean;
  /** Alternating durations starting with the active level, e.g. [6000, 10000, 500]. Odd length. */
  sequenceMs: number[];
}

/** `--format` strings chosen so every event is one line of space-separated numbers. */
export const MONITOR_FORMAT: Record<Generation, string> = { 1: '%e %o %s %n', 2: '%e %o %S' };

/** `gpiomon (libgpiod) v1.6.3` → { generation: 1, version: '1.6.3' }. */
export function parseVersion(stdout: string): { generation: Generation; version: string } | undefined {
  const m = /\(libgpiod\) v(\d+)\.(\d+)(?:\.(\d+))?\S*/.exec(stdout);
  if (!m) return undefined;
  const major = Number(m[1]);
  if (major !== 1 && major !== 2) return undefined;
  if (major === 1 && Number(m[2]) < 5) return undefined; // --bias arrived in 1.5
  return { generation: major as Generation, version: m[0].slice('(libgpiod) v'.length) };
}

export interface ChipInfo {
  name: string;
  label: string;
  lines: number;
}

/** gpiodetect, both generations: `gpiochip0 [pinctrl-bcm2711] (58 lines)`. */
export function parseChips(stdout: string): ChipInfo[] {
  const chips: ChipInfo[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^(\S+) \[(.*)\] \((\d+) lines\)$/.exec(line.trim());
    if (m) chips.push({ name: m[1], label: m[2], lines: Number(m[3]) });
  }
  return chips;
}

/** `0`, `gpiochip0` and `/dev/gpiochip0` name the same chip in both generations. */
export function chipName(id: string): string {
  if (/^\d+$/.test(id)) return `gpiochip${id}`;
  return id.replace(/^\/dev\//, '');
}

function biasArgs(generation: Generation, bias: Bias): string[] {
  if (generation === 1) return [`--bias=${bias === 'disabled' ? 'disable' : bias}`];
  return bias === 'as-is' ? [] : [`--bias=${bias}`];
}

export function monitorArgs(generation: Generation, o: MonitorOptions): string[] {
  const offsets = o.offsets.map(String);
  if (generation === 1) {
    return [...biasArgs(1, o.bias), '--line-buffered', `--format=${MONITOR_FORMAT[1]}`, o.chip, ...offsets];
  }
  return [
    `--chip=${o.chip}`,
    ...biasArgs(2, o.bias),
    ...(o.debounceMs > 0 ? [`--debounce-period=${o.debounceMs}ms`] : []),
    `--format=${MONITOR_FORMAT[2]}`,
    ...offsets,
  ];
}

/** One output line of gpiomon with MONITOR_FORMAT, or undefined for anything else. */
export function parseMonitorLine(generation: Generation, line: string): EdgeEvent | undefined {
  const text = line.trim();
  if (generation === 1) {
    const m = /^([01]) (\d+) (\d+) (\d+)$/.exec(text);
    if (!m) return undefined;
    return { edge: m[1] === '1' ? 'rising' : 'falling', offset: Number(m[2]), timestampNs: BigInt(m[3]) * 1_000_000_000n + BigInt(m[4]) };
  }
  const m = /^([12]) (\d+) (\d+)\.(\d{9})$/.exec(text);
  if (!m) return undefined;
  return { edge: m[1] === '1' ? 'rising' : 'falling', offset: Number(m[2]), timestampNs: BigInt(m[3]) * 1_000_000_000n + BigInt(m[4]) };
}

export function getArgs(generation: Generation, o: LineRead): string[] {
  const low = o.activeLow ? ['--active-low'] : [];
  if (generation === 1) return [...low, ...biasArgs(1, o.bias), o.chip, String(o.offset)];
  return [`--chip=${o.chip}`, ...low, ...biasArgs(2, o.bias), '--numeric', String(o.offset)];
}

/** gpioget's answer for one line: true when active. */
export function parseGetOutput(stdout: string): boolean | undefined {
  const t = stdout.trim();
  if (t === '1') return true;
  if (t === '0') return false;
  return undefined;
}

/**
 * The gpioset invocations that play a pulse sequence: 2.x does it in one process with --toggle;
 * 1.6 needs one `--mode=time` process per segment (the line is released in between, so the
 * relay's input must idle inactive when the pin floats: see infra/watchdog/README.md).
 */
export function pulseCommands(generation: Generation, o: PulseOptions): string[][] {
  const low = o.activeLow ? ['--active-low'] : [];
  if (generation === 2) {
    const periods = [...o.sequenceMs.map((ms) => `${ms}ms`), '0'].join(',');
    return [[`--chip=${o.chip}`, ...low, `--toggle=${periods}`, `${o.offset}=1`]];
  }
  return o.sequenceMs.map((ms, i) => {
    const sec = Math.floor(ms / 1000);
    const usec = (ms % 1000) * 1000;
    return [...low, '--mode=time', `--sec=${sec}`, `--usec=${usec}`, o.chip, `${o.offset}=${i % 2 === 0 ? 1 : 0}`];
  });
}
