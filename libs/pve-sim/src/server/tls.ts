/** The simulator's self-signed certificate, made fresh at every start, and its SHA-256 fingerprint. */
import { X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';

export interface ServerCertificate {
  keyPem: string;
  certPem: string;
  /** `AB:CD:…`, as `openssl x509 -fingerprint -sha256` and PVE's GUI print it. */
  fingerprint: string;
}

export async function generateCertificate(hostname = 'localhost', ip = '127.0.0.1'): Promise<ServerCertificate> {
  const notBeforeDate = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfterDate = new Date(Date.now() + 365 * 24 * 3600 * 1000);
  const altNames: Array<{ type: 2 | 7; value?: string; ip?: string }> = [
    { type: 2, value: hostname },
    { type: 7, ip: '127.0.0.1' },
  ];
  if (ip !== '127.0.0.1' && /^[\d.]+$|:/.test(ip)) altNames.push({ type: 7, ip });
  else if (ip !== '127.0.0.1') altNames.push({ type: 2, value: ip });
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      // A self-signed certificate is its own trust anchor when pinned with `ca:`.
      { name: 'basicConstraints', cA: true },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  const fingerprint = new X509Certificate(pems.cert).fingerprint256.toUpperCase();
  return { keyPem: pems.private, certPem: pems.cert, fingerprint };
}
