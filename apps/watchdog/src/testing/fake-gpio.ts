/**
 * Test side of the fake libgpiod tools in ./fake-gpio (bash scripts that speak libgpiod 1.6.3 or
 * 2.2.1 exactly, see fake-gpio/common.sh): a private world directory, the environment that puts
 * the fakes on PATH, button presses written to gpiomon's event FIFO, and what gpioset drove.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { appendFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const FAKE_TOOLS_DIR = resolve(__dirname, 'fake-gpio');
/** Debian 12 / Raspberry Pi OS bookworm ship 1.6.3; Debian 13 trixie ships 2.2.1. */
export const LIBGPIOD_VERSIONS = ['1.6.3', '2.2.1'] as const;
export type LibgpiodVersion = (typeof LIBGPIOD_VERSIONS)[number];

export interface SetRecord {
  atMs: number;
  chip: string;
  offset: number;
  level: 0 | 1;
}

export class FakeGpio {
  readonly dir = mkdtempSync(join(tmpdir(), 'fake-gpio-'));
  /** Monotonic-like nanoseconds for the events the test invents. */
  private clockNs = 1_000_000_000_000n;

  constructor(readonly version: LibgpiodVersion) {
    execFileSync('mkfifo', [join(this.dir, 'events')]);
  }

  /** What a process needs to find and drive the fakes. */
  get env(): NodeJS.ProcessEnv {
    return { PATH: `${FAKE_TOOLS_DIR}:${process.env.PATH}`, FAKE_GPIO_DIR: this.dir, FAKE_LIBGPIOD_VERSION: this.version };
  }

  setChips(lines: string): void {
    writeFileSync(join(this.dir, 'chips'), lines);
  }

  /** The physical level gpioget reads on a line (1 = high, e.g. pulled up and open). */
  setLevel(chip: string, offset: number, level: 0 | 1): void {
    writeFileSync(join(this.dir, `level-${chip}-${offset}`), String(level));
  }

  /**
   * Edges on a line, `gapsMs` apart (kernel timestamps), written in one go: what gpiomon reads
   * after the contact chattered. Resolves when the FIFO accepted them (gpiomon holds it open).
   */
  async edges(offset: number, edges: Array<['rising' | 'falling', number]>): Promise<void> {
    const lines = edges.map(([edge, gapMs]) => {
      this.clockNs += BigInt(Math.round(gapMs * 1_000_000));
      const sec = this.clockNs / 1_000_000_000n;
      const nsec = this.clockNs % 1_000_000_000n;
      return `${edge} ${offset} ${sec} ${nsec}\n`;
    });
    // Opening a FIFO for writing waits for a reader; async, so a missing gpiomon fails the test's
    // deadline instead of blocking the event loop.
    await appendFile(join(this.dir, 'events'), lines.join(''));
  }

  /** A clean press and release of an active-low button (pulled up, shorted to ground). */
  press(offset: number): Promise<void> {
    return this.edges(offset, [['falling', 1000], ['rising', 300]]);
  }

  /** A press whose contact bounces: 5 edges within 3 ms, then a bouncing release. */
  bouncyPress(offset: number): Promise<void> {
    return this.edges(offset, [['falling', 1000], ['rising', 0.4], ['falling', 0.6], ['rising', 0.8], ['falling', 1], ['rising', 250], ['falling', 0.5], ['rising', 0.7]]);
  }

  calls(tool?: string): string[] {
    const file = join(this.dir, 'calls.log');
    const lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
    return tool ? lines.filter((l) => l.startsWith(`${tool} `)) : lines;
  }

  /** Every level gpioset drove, in order. */
  driven(): SetRecord[] {
    const file = join(this.dir, 'set.log');
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [at, chip, assignment] = line.split(' ');
        const [offset, level] = assignment.split('=');
        return { atMs: Number(at), chip, offset: Number(offset), level: Number(level) as 0 | 1 };
      });
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
