/** The Proxmox VE transport: PveClient and what its callers need to configure it and read its errors. */
export * from './types';
export { PveClient, type PveClientEvent, type PveClientOptions, type PveMethod } from './client';
export {
  pveConfigFromEnv,
  validateConnectionConfig,
  PVE_DEFAULT_NODE,
  PVE_DEFAULT_PORT,
  PVE_DEFAULT_REQUEST_TIMEOUT_MS,
} from './config';
export {
  PveConfigError,
  PveHttpError,
  PveNetworkError,
  PveTaskError,
  PveTaskTimeoutError,
  PveTlsError,
  isLockTimeoutMessage,
} from './errors';
export { backoffDelay, isRetryable, DEFAULT_RETRY, type PveRetryOptions } from './backoff';
export { normaliseFingerprint, fingerprintsEqual } from './fingerprint';
export { normaliseParams, encodeForm, redactParams, SECRET_PARAM_RE } from './params';
export type { PveTraceRecord } from './trace';
export { parseUpid, isUpid, type Upid } from './upid';
