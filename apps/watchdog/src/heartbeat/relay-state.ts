/**
 * When the relay last fired, kept in a small JSON file so that a restarted watchdog (or a Pi that
 * rebooted with the server) still honours the minimum interval between power cycles. Written
 * to a temporary file and renamed, so a cut mid-write leaves the previous state.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RelayState {
  lastFiredAt?: number;
}

export class RelayStateFile {
  constructor(private readonly file: string) {}

  read(): RelayState {
    try {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as RelayState;
      return typeof parsed.lastFiredAt === 'number' ? { lastFiredAt: parsed.lastFiredAt } : {};
    } catch {
      // Absent or damaged: the start-up grace period still protects a restart.
      return {};
    }
  }

  write(state: RelayState): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify(state) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
