/**
 * Everything the process needs to know before it starts, read and checked at once: the exporter's
 * own configuration and, when the Proxmox collector reads a real host, the PVE_* connection. Any
 * mistake surfaces here as a SettingsError whose message is one line naming the variable and the fix.
 */
import { PveConfigError, type PveConnectionConfig, pveConfigFromEnv } from '@genesis/proxmox';
import { ConfigError, type ExporterConfig, loadConfig } from './config';

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export interface Settings {
  config: ExporterConfig;
  /** Set when the Proxmox collector is enabled in real mode. */
  pve?: PveConnectionConfig;
}

/** A message on one line (a container log or `systemctl status` shows the whole reason). */
export function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error).replace(/\s*\n\s*/g, '; ');
}

export function readSettings(env: NodeJS.ProcessEnv): Settings {
  try {
    const config = loadConfig(env);
    const pve = config.proxmox.enabled && config.mode === 'real' ? pveConfigFromEnv(env) : undefined;
    return { config, pve };
  } catch (error) {
    if (error instanceof ConfigError || error instanceof PveConfigError) throw new SettingsError(oneLine(error));
    throw error;
  }
}
