/**
 * The errors the transport throws. Each message says what failed and how to fix it; none of
 * them ever carries the API token secret (they are built from method, path and PVE's answer only).
 */

/** PVE answered with a non-2xx status. */
export class PveHttpError extends Error {
  override readonly name = 'PveHttpError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    /** PVE's own message: the body's `message`, else the HTTP status line. */
    readonly pveMessage: string,
    /** Per-parameter errors (`{"errors": {"net0": "invalid format ..."}}`), empty when none. */
    readonly errors: Record<string, string> = {},
  ) {
    super(formatHttpError(method, path, status, pveMessage, errors));
  }

  /** True for PVE's `can't lock file '…' - got timeout`: the write never happened and may be retried. */
  get isLockTimeout(): boolean {
    return isLockTimeoutMessage(this.pveMessage);
  }
}

export function isLockTimeoutMessage(message: string): boolean {
  return /can't lock file .*got timeout/i.test(message);
}

function formatHttpError(
  method: string,
  path: string,
  status: number,
  pveMessage: string,
  errors: Record<string, string>,
): string {
  const head = `PVE ${method} ${path} failed: HTTP ${status} ${pveMessage}`.trimEnd();
  const names = Object.keys(errors).sort();
  if (names.length === 0) return head + hintFor(status);
  const lines = names.map((name) => `  ${name}: ${String(errors[name]).trim()}`);
  return `${head}\n${lines.join('\n')}${hintFor(status)}`;
}

function hintFor(status: number): string {
  if (status === 401) {
    return '\n  (check PVE_TOKEN_ID and PVE_TOKEN_SECRET: the token must exist on the host and the secret must match it)';
  }
  if (status === 403) {
    return '\n  (the token lacks a privilege for this path: grant it on the host, or use a token without privilege separation)';
  }
  return '';
}

/** No HTTP answer: connection refused, reset, timed out. */
export class PveNetworkError extends Error {
  override readonly name = 'PveNetworkError';
  constructor(
    readonly method: string,
    readonly path: string,
    /** Node's error code (`ECONNREFUSED`, `ECONNRESET`, `ETIMEDOUT`, …). */
    readonly code: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`PVE ${method} ${path} failed: ${detail}`, options);
  }
}

/** The server's certificate was not the one we trust; nothing was sent on that connection. */
export class PveTlsError extends Error {
  override readonly name = 'PveTlsError';
  constructor(
    /** SHA-256 fingerprint of the certificate the server presented, `AA:BB:…`. */
    readonly presentedFingerprint: string,
    /** Why it was refused (pin mismatch, or the TLS library's verification error). */
    readonly reason: string,
    /** The fingerprint we expected, when pinned. */
    readonly expectedFingerprint?: string,
  ) {
    super(
      `TLS: refusing the server certificate: ${reason}.\n` +
        `  The server presented SHA-256 fingerprint ${presentedFingerprint}\n` +
        (expectedFingerprint ? `  PVE_FINGERPRINT expects       ${expectedFingerprint}\n` : '') +
        `  If that is your Proxmox host's certificate (compare with \`pvenode cert info\` on the host, ` +
        `or the fingerprint shown under Datacenter > Node > System > Certificates), ` +
        `set PVE_FINGERPRINT=${presentedFingerprint} (or PVE_CA_FILE to the CA that signed it).`,
    );
  }
}

/** A task stopped with an exitstatus other than `OK` / `WARNINGS: n`. */
export class PveTaskError extends Error {
  override readonly name = 'PveTaskError';
  constructor(
    readonly upid: string,
    readonly exitstatus: string,
    /** The last lines of the task log, oldest first. */
    readonly logTail: string[],
  ) {
    super(
      `PVE task ${upid} failed: ${exitstatus}` +
        (logTail.length > 0
          ? `\n  task log (last ${logTail.length} lines):\n    ${logTail.join('\n    ')}`
          : ''),
    );
  }
}

/** A task was still running when waitForTask gave up; it may still finish on the host. */
export class PveTaskTimeoutError extends Error {
  override readonly name = 'PveTaskTimeoutError';
  constructor(
    readonly upid: string,
    readonly timeoutMs: number,
  ) {
    super(
      `PVE task ${upid} still running after ${Math.round(timeoutMs / 1000)} s; ` +
        `it may still finish on the host (see Datacenter > Tasks, or \`pvenode task status ${upid}\`). ` +
        `Raise waitForTask's timeoutMs if the step is legitimately slow.`,
    );
  }
}

/** Bad connection settings (environment or PveConnectionConfig). */
export class PveConfigError extends Error {
  override readonly name = 'PveConfigError';
  constructor(
    /** The environment variable (or config field) at fault. */
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}
