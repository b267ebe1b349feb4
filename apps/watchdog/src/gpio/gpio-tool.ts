/**
 * GpioTool: the watchdog's typed client around libgpiod's command-line tools (gpiomon, gpioset,
 * gpioget, gpiodetect). It finds out which generation is installed once, then speaks its dialect
 * (dialects.ts). Every failure names the tool, what it said, and the fix.
 */
import { CommandNotFoundError, type CommandRunner, type StreamingCommand } from './command-runner';
import {
  chipName,
  getArgs,
  monitorArgs,
  parseChips,
  parseGetOutput,
  parseMonitorLine,
  parseVersion,
  pulseCommands,
  type ChipInfo,
  type EdgeEvent,
  type Generation,
  type LineRead,
  type MonitorOptions,
  type PulseOptions,
} from './dialects';

export const INSTALL_FIX = 'install the tools with `apt-get install gpiod` (Debian package gpiod: libgpiod 1.6 on Debian 12, 2.x on Debian 13)';
const SHORT_TIMEOUT_MS = 5000;

export class GpioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpioError';
  }
}

export interface Monitor {
  /** Rejects when gpiomon ends without being asked to (the caller exits: systemd restarts it). */
  exited: Promise<void>;
  stop(): Promise<void>;
}

export interface Detected {
  generation: Generation;
  version: string;
}

export class GpioTool {
  private detected?: Detected;

  constructor(private readonly runner: CommandRunner) {}

  /** `gpiomon --version`; a missing gpiomon or an unknown generation is a GpioError with the fix. */
  async detect(): Promise<Detected> {
    if (this.detected) return this.detected;
    let stdout: string;
    try {
      ({ stdout } = await this.runner.run('gpiomon', ['--version'], { timeoutMs: SHORT_TIMEOUT_MS }));
    } catch (err) {
      if (err instanceof CommandNotFoundError) throw new GpioError(`gpiomon was not found on PATH; fix: ${INSTALL_FIX}`);
      throw err;
    }
    const parsed = parseVersion(stdout);
    if (!parsed) {
      throw new GpioError(
        `gpiomon --version printed ${JSON.stringify(stdout.split('\n')[0])}, not libgpiod 1.5+ or 2.x; fix: ${INSTALL_FIX}`,
      );
    }
    this.detected = parsed;
    return parsed;
  }

  async chips(): Promise<ChipInfo[]> {
    const result = await this.runTool('gpiodetect', []);
    return parseChips(result.stdout);
  }

  /** Checks the chip exists and has every offset; the error lists what gpiodetect found. */
  async assertLines(chip: string, offsets: number[], field: string): Promise<void> {
    const chips = await this.chips();
    const found = chips.find((c) => c.name === chipName(chip));
    const listed = chips.map((c) => `${c.name} [${c.label}] (${c.lines} lines)`).join(', ') || 'no chips';
    if (!found) {
      throw new GpioError(`${field}: GPIO chip ${chip} not found (gpiodetect lists: ${listed}); fix: set ${field} to one of those chips`);
    }
    for (const offset of offsets) {
      if (offset >= found.lines) {
        throw new GpioError(`${field}: ${found.name} has ${found.lines} lines, so line ${offset} does not exist; fix: use the line offset (BCM GPIO number on a Raspberry Pi)`);
      }
    }
  }

  /** Runs gpiomon on the lines and calls `onEvent` for every edge it prints. */
  async monitor(options: MonitorOptions, onEvent: (event: EdgeEvent) => void): Promise<Monitor> {
    const { generation } = await this.detect();
    const stream: StreamingCommand = this.runner.stream('gpiomon', monitorArgs(generation, options), (line) => {
      const event = parseMonitorLine(generation, line);
      if (event) onEvent(event);
    });
    let stopping = false;
    const exited = stream.exited.then((end) => {
      if (stopping) return;
      const how = end.signal ? `was killed by ${end.signal}` : `exited with ${end.exitCode}`;
      throw new GpioError(`gpiomon ${how}: ${end.stderr.trim() || '(no output)'}`);
    });
    exited.catch(() => undefined); // the caller decides; an unobserved end is not a crash
    return {
      exited,
      stop: async () => {
        stopping = true;
        await stream.stop();
      },
    };
  }

  /** The line's level through gpioget: true when active. */
  async read(line: LineRead): Promise<boolean> {
    const { generation } = await this.detect();
    const result = await this.runTool('gpioget', getArgs(generation, line));
    const value = parseGetOutput(result.stdout);
    if (value === undefined) throw new GpioError(`gpioget printed ${JSON.stringify(result.stdout.trim())}, expected 0 or 1`);
    return value;
  }

  /** Plays the active/inactive sequence on an output line with gpioset, then releases it. */
  async pulse(options: PulseOptions): Promise<void> {
    const { generation } = await this.detect();
    const total = options.sequenceMs.reduce((a, b) => a + b, 0);
    for (const args of pulseCommands(generation, options)) {
      await this.runTool('gpioset', args, total + SHORT_TIMEOUT_MS);
    }
  }

  private async runTool(tool: string, args: string[], timeoutMs = SHORT_TIMEOUT_MS) {
    let result;
    try {
      result = await this.runner.run(tool, args, { timeoutMs });
    } catch (err) {
      if (err instanceof CommandNotFoundError) throw new GpioError(`${tool} was not found on PATH; fix: ${INSTALL_FIX}`);
      throw err;
    }
    if (result.exitCode !== 0) {
      throw new GpioError(`${tool} ${args.join(' ')} exited with ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 300)}`);
    }
    return result;
  }
}
