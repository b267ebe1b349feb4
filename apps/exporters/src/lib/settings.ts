/**
 * Everything the process needs to know before it starts, read and checked at once: the exporter's
 * own configuration and, when the Proxmox collector reads a real host, the PVE_* connection. Any
 * mistake surfaces here as a SettingsError whose message is one line naming the variable and the fix.
 */
import type { PveConnectionConfig } from '@genesis/proxmox';
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

/**
 * The Proxmox library is loaded only when the Proxmox collector reads a real host: it is most of the
 * bundle's code, and an exporter that only watches a GPU should not hold it in memory (issue 16).
 */
export async function readSettings(env: NodeJS.ProcessEnv): Promise<Settings> {
  let config: ExporterConfig;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) throw new SettingsError(oneLine(error));
    throw error;
  }
  if (!config.proxmox.enabled || config.mode !== 'real') return { config };
  const { PveConfigError, pveConfigFromEnv } = await import('@genesis/proxmox');
  try {
    return { config, pve: pveConfigFromEnv(env) };
  } catch (error) {
    if (error instanceof PveConfigError) throw new SettingsError(oneLine(error));
    throw error;
  }
}
