/** SHA-256 certificate fingerprints: what users paste into PVE_FINGERPRINT and what we compare. */

/**
 * `AA:BB:…` or plain hex, any case, to canonical upper-case colon form. Returns undefined when the
 * input is not 32 bytes of hex, so callers can say which setting is wrong.
 */
export function normaliseFingerprint(input: string): string | undefined {
  const hex = input.trim().replace(/[:\s-]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return undefined;
  return hex.toUpperCase().replace(/(..)(?!$)/g, '$1:');
}

/** Node's `getPeerCertificate().fingerprint256` is already `AA:BB:…`; this keeps the comparison exact. */
export function fingerprintsEqual(a: string, b: string): boolean {
  const na = normaliseFingerprint(a);
  const nb = normaliseFingerprint(b);
  return na !== undefined && na === nb;
}
