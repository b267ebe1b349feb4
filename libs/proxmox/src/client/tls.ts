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
  /** Hard limit on TCP connect + TLS handshake together (not an idle timer: a trickle does not extend it). */
  handshakeTimeoutMs: number;
  /** Called once when the connection is still not up after `waitNoticeMs` ("waiting for …"). */
  onWaiting?: (line: string) => void;
  /** Default 2 s, or half the handshake limit when that is shorter. */
  waitNoticeMs?: number;
}

/** The connection did not come up in time: nothing was sent, and the host is not answering as PVE. */
export class PveConnectTimeoutError extends Error {
  readonly code = 'ECONNECTTIMEOUT';
  constructor(readonly where: string, readonly phase: 'TCP connect' | 'TLS handshake', readonly timeoutMs: number) {
    super(
      `no ${phase === 'TCP connect' ? 'TCP connection to' : 'TLS handshake with'} ${where} within ${timeoutMs} ms ` +
        `(PVE_CONNECT_TIMEOUT_MS); ${phase === 'TCP connect' ? 'is the host up and the port open?' : 'it accepted TCP but did not answer TLS: is PVE_PORT the PVE API (pveproxy, 8006) and not another service or a filtering proxy?'}`,
    );
    this.name = 'PveConnectTimeoutError';
  }
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
  private readonly onWaiting?: (line: string) => void;
  private readonly waitNoticeMs: number;

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
    this.onWaiting = options.onWaiting;
    this.waitNoticeMs = options.waitNoticeMs ?? Math.min(2000, Math.round(options.handshakeTimeoutMs / 2));
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
    const where = `${String(options.host ?? options.hostname)}:${String(options.port)}`;
    let connected = false;
    socket.once('connect', () => (connected = true));
    const phase = () => (connected ? 'TLS handshake' : 'TCP connect') as 'TLS handshake' | 'TCP connect';
    const timers = [
      setTimeout(() => fail(new PveConnectTimeoutError(where, phase(), this.handshakeTimeoutMs)), this.handshakeTimeoutMs),
      setTimeout(() => this.onWaiting?.(`waiting for ${where} (${phase()}; giving up after ${this.handshakeTimeoutMs / 1000} s) …`), this.waitNoticeMs),
    ];
    timers.forEach((t) => t.unref());
    const fail = (error: Error): void => {
      timers.forEach(clearTimeout);
      socket.destroy();
      done(error, socket);
    };
    const onError = (error: Error): void => fail(error);
    socket.once('error', onError);
    socket.once('secureConnect', () => {
      timers.forEach(clearTimeout);
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
