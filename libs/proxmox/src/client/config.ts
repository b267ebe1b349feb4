/**
 * Connection settings from the environment (PVE_*) and their validation. Every error names the
 * variable and the fix; the token secret's value never appears in any of them.
 */
import { PveConfigError } from './errors';
import { normaliseFingerprint } from './fingerprint';
import { FINGERPRINT_FIX } from './tls';
import type { PveConnectionConfig } from './types';

export const PVE_DEFAULT_PORT = 8006;
export const PVE_DEFAULT_NODE = 'pve';
export const PVE_DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** A LAN host completes TCP + TLS in milliseconds; 10 s covers a slow VPN without hanging. */
export const PVE_DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

// PVE's own patterns: user `[^\s:/]+`, realm `[A-Za-z][A-Za-z0-9.\-_]+`, token `[A-Za-z][A-Za-z0-9.\-_]+`.
const TOKEN_ID_RE = /^[^\s:/@!=]+@[A-Za-z][A-Za-z0-9.\-_]+![A-Za-z][A-Za-z0-9.\-_]+$/;
const NODE_RE = /^[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?$/;

/** Reads PVE_HOST, PVE_PORT, PVE_NODE, PVE_TOKEN_ID, PVE_TOKEN_SECRET, PVE_FINGERPRINT, PVE_CA_FILE, PVE_TRACE. */
export function pveConfigFromEnv(env: NodeJS.ProcessEnv = process.env): PveConnectionConfig {
  const value = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const port = value('PVE_PORT');
  const config: PveConnectionConfig = {
    host: value('PVE_HOST') ?? '',
    port: port === undefined ? PVE_DEFAULT_PORT : parsePort(port),
    node: value('PVE_NODE') ?? PVE_DEFAULT_NODE,
    tokenId: value('PVE_TOKEN_ID') ?? '',
    tokenSecret: value('PVE_TOKEN_SECRET') ?? '',
  };
  const fingerprint = value('PVE_FINGERPRINT');
  const caFile = value('PVE_CA_FILE');
  const traceFile = value('PVE_TRACE');
  const connectTimeout = value('PVE_CONNECT_TIMEOUT_MS');
  if (connectTimeout !== undefined) {
    if (!/^\d+$/.test(connectTimeout) || Number(connectTimeout) < 1)
      throw new PveConfigError('PVE_CONNECT_TIMEOUT_MS', `PVE_CONNECT_TIMEOUT_MS=${connectTimeout} is not a positive number of milliseconds; e.g. PVE_CONNECT_TIMEOUT_MS=10000`);
    config.connectTimeoutMs = Number(connectTimeout);
  }
  if (fingerprint !== undefined) config.fingerprint = fingerprint;
  if (caFile !== undefined) config.caFile = caFile;
  if (traceFile !== undefined) config.traceFile = traceFile;
  return validateConnectionConfig(config);
}

/** Checks a config (from env or built by hand) and returns it with the fingerprint normalised. */
export function validateConnectionConfig(config: PveConnectionConfig): PveConnectionConfig {
  const host = config.host?.trim() ?? '';
  if (host === '') {
    throw new PveConfigError(
      'PVE_HOST',
      'PVE_HOST is not set: set it to the Proxmox host name or IP address, e.g. PVE_HOST=192.168.1.10 (see .env.example)',
    );
  }
  if (/^[a-z]+:\/\//i.test(host) || host.includes('/')) {
    throw new PveConfigError(
      'PVE_HOST',
      `PVE_HOST=${host} must be a bare host name or IP address, without scheme or path ` +
        `(the client builds https://PVE_HOST:PVE_PORT/api2/json itself); e.g. PVE_HOST=192.168.1.10`,
    );
  }
  if (!Number.isInteger(config.port) || config.port < 1 || config.port > 65535) {
    throw new PveConfigError(
      'PVE_PORT',
      `PVE_PORT must be a TCP port 1-65535 (PVE listens on ${PVE_DEFAULT_PORT})`,
    );
  }
  if (!NODE_RE.test(config.node)) {
    throw new PveConfigError(
      'PVE_NODE',
      `PVE_NODE=${config.node} is not a PVE node name; use the name \`hostname\` prints on the host (default ${PVE_DEFAULT_NODE})`,
    );
  }
  checkTokenId(config.tokenId);
  if (!config.tokenSecret) {
    throw new PveConfigError(
      'PVE_TOKEN_SECRET',
      'PVE_TOKEN_SECRET is not set: set it to the secret (a UUID) shown once when the API token was created ' +
        '(Datacenter > Permissions > API Tokens, or `pveum user token add`)',
    );
  }
  if (/\s/.test(config.tokenSecret)) {
    throw new PveConfigError(
      'PVE_TOKEN_SECRET',
      'PVE_TOKEN_SECRET contains whitespace; paste the secret alone, without quotes or spaces',
    );
  }
  const out: PveConnectionConfig = { ...config, host };
  if (config.fingerprint !== undefined) {
    const fp = normaliseFingerprint(config.fingerprint);
    if (!fp) {
      throw new PveConfigError(
        'PVE_FINGERPRINT',
        `PVE_FINGERPRINT=${config.fingerprint} is not a SHA-256 fingerprint: ${FINGERPRINT_FIX}`,
      );
    }
    out.fingerprint = fp;
  }
  if (config.requestTimeoutMs !== undefined && !(config.requestTimeoutMs > 0)) {
    throw new PveConfigError(
      'requestTimeoutMs',
      'requestTimeoutMs must be a positive number of milliseconds',
    );
  }
  return out;
}

function parsePort(raw: string): number {
  if (!/^\d+$/.test(raw)) {
    throw new PveConfigError(
      'PVE_PORT',
      `PVE_PORT=${raw} is not a port number; PVE listens on ${PVE_DEFAULT_PORT} (leave PVE_PORT unset for that)`,
    );
  }
  return Number(raw);
}

function checkTokenId(tokenId: string): void {
  const form = 'USER@REALM!TOKENID, e.g. PVE_TOKEN_ID=root@pam!genesis';
  if (!tokenId) {
    throw new PveConfigError('PVE_TOKEN_ID', `PVE_TOKEN_ID is not set: set it to the API token id, ${form}`);
  }
  if (tokenId.includes('=')) {
    // Likely the whole `PVEAPIToken=…` value pasted: the part after '=' may be the secret, so echo nothing.
    throw new PveConfigError(
      'PVE_TOKEN_ID',
      `PVE_TOKEN_ID contains '=': it must be the token id alone (${form}); ` +
        `put the secret (the part after '=') into PVE_TOKEN_SECRET`,
    );
  }
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tokenId)) {
    throw new PveConfigError(
      'PVE_TOKEN_ID',
      `PVE_TOKEN_ID holds a UUID, which looks like the token secret: put that into PVE_TOKEN_SECRET ` +
        `and set PVE_TOKEN_ID to ${form}`,
    );
  }
  if (!TOKEN_ID_RE.test(tokenId)) {
    // Echo the value only when it looks like an id (has '@'); anything else may be a pasted secret.
    const shown = tokenId.includes('@') ? `=${tokenId}` : '';
    const hint = tokenId.includes('!')
      ? ''
      : ' (the "!TOKENID" part is missing: a user name alone is not an API token)';
    throw new PveConfigError('PVE_TOKEN_ID', `PVE_TOKEN_ID${shown} is not in the form ${form}${hint}`);
  }
}
