/**
 * The replication first-sync wait as a setting: how long provision waits for a new (or never
 * synced) replication job's first sync before it fails, naming the job and this setting. Its two
 * spellings and its default live here, with nothing else, so the CLI and the engine share them
 * without importing each other.
 */
export const REPLICATION_SYNC_TIMEOUT_FLAG = '--replication-sync-timeout';
export const REPLICATION_SYNC_TIMEOUT_ENV = 'GENESIS_REPLICATION_SYNC_TIMEOUT';
export const DEFAULT_FIRST_SYNC_TIMEOUT_MS = 600_000;
