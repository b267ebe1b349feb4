/**
 * Whom we trust on the TLS connection to PVE. Verification happens per agent, inside the
 * connection step: the HTTP layer only receives a socket after the server's certificate was
 * accepted, so no request byte (and no token) ever reaches a server we do not trust.
 */
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { PveConfigError, PveTlsError } from './errors';
import { fingerprintsEqual, normaliseFingerprint } from './fingerprint';

export interface PveTrust {
  /** Pinned SHA-256 fingerprint (any accepted spelling). */
  fingerprint?: string;
  /** PEM of the CA that signed the server certificate. */
  caPem?: string;
}

/** Reads PVE_CA_FILE, failing with the variable's name and the fix. */
export function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PveConfigError(
      'PVE_CA_FILE',
      `PVE_CA_FILE=${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ` +
        `Point PVE_CA_FILE at the PEM file of the CA that signed the PVE certificate ` +
        `(on the host: /etc/pve/pve-root-ca.pem), or use PVE_FINGERPRINT instead.`,
    );
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new PveConfigError(
      'PVE_CA_FILE',
      `PVE_CA_FILE=${file}: no PEM certificate in it (expected "-----BEGIN CERTIFICATE-----"). ` +
        `Use the CA certificate (on the host: /etc/pve/pve-root-ca.pem), not a key or a DER file.`,
    );
  }
  return pem;
}

export interface PveAgentOptions {
  keepAlive: boolean;
  maxSockets?: number;
  /** Limit on TCP connect + TLS handshake. */
  handshakeTimeoutMs: number;
}

/**
 * An https.Agent that hands out a socket only after checking the peer: against the pin when a
 * fingerprint is set (the pin replaces CA and host-name checks, like PVE's own tools do), else
 * with the standard chain + host-name verification against the given CA or the system store.
 */
export class PveTlsAgent extends https.Agent {
  private readonly pinned?: string;
  private readonly caPem?: string;
  private readonly handshakeTimeoutMs: number;

  constructor(trust: PveTrust, options: PveAgentOptions) {
    super({ keepAlive: options.keepAlive, maxSockets: options.maxSockets ?? Infinity, maxCachedSessions: 0 });
    if (trust.fingerprint !== undefined) {
      const pinned = normaliseFingerprint(trust.fingerprint);
      if (!pinned) {
        throw new PveConfigError(
          'PVE_FINGERPRINT',
          `PVE_FINGERPRINT is not a SHA-256 fingerprint (${FINGERPRINT_FIX})`,
        );
      }
      this.pinned = pinned;
    }
    this.caPem = trust.caPem;
    this.handshakeTimeoutMs = options.handshakeTimeoutMs;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = once(callback ?? (() => undefined));
    // rejectUnauthorized stays false only inside this socket: the verdict is taken below, before
    // the socket is handed to the HTTP request. Node still computes `authorized` (chain + name).
    const socket = tls.connect({
      ...(options as tls.ConnectionOptions),
      ca: this.caPem ?? (options as tls.ConnectionOptions).ca,
      rejectUnauthorized: false,
    });
    const fail = (error: Error): void => {
      socket.destroy();
      done(error, socket);
    };
    const onError = (error: Error): void => fail(error);
    socket.once('error', onError);
    socket.setTimeout(this.handshakeTimeoutMs, () =>
      fail(
        Object.assign(new Error(`TLS handshake timed out after ${this.handshakeTimeoutMs} ms`), {
          code: 'ETIMEDOUT',
        }),
      ),
    );
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      socket.removeListener('error', onError);
      const verdict = this.verify(socket);
      if (verdict) {
        fail(verdict);
        return;
      }
      done(null, socket);
    });
    return undefined;
  }

  private verify(socket: tls.TLSSocket): PveTlsError | undefined {
    const presented = socket.getPeerCertificate()?.fingerprint256;
    if (!presented) return new PveTlsError('(none)', 'the server presented no certificate', this.pinned);
    if (this.pinned) {
      if (!fingerprintsEqual(presented, this.pinned)) {
        return new PveTlsError(presented, 'its fingerprint does not match PVE_FINGERPRINT', this.pinned);
      }
      return undefined;
    }
    if (!socket.authorized) {
      const code = String(socket.authorizationError ?? 'unknown verification error');
      const why = VERIFY_ERRORS[code] ? `${code}: ${VERIFY_ERRORS[code]}` : code;
      const against = this.caPem ? 'the CA in PVE_CA_FILE' : 'the system CA store';
      return new PveTlsError(presented, `it is not trusted by ${against} (${why})`);
    }
    return undefined;
  }
}

// Node reports OpenSSL's codes; say what they mean for a PVE host.
const VERIFY_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'a self-signed certificate, as PVE installs by default',
  SELF_SIGNED_CERT_IN_CHAIN: "signed by a self-signed CA, such as the host's own pve-root-ca",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'signed by a CA that is not trusted here',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'signed by a CA that is not trusted here',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet (check the clocks)',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the certificate is not issued for PVE_HOST',
};

export const FINGERPRINT_FIX =
  'expected 64 hex digits, with or without colons, e.g. PVE_FINGERPRINT=AB:CD:…; ' +
  'on the host `pvenode cert info` prints it as "fingerprint"';

function once<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let called = false;
  return (...args: A) => {
    if (called) return;
    called = true;
    fn(...args);
  };
}
