/** API-token authentication (`Authorization: PVEAPIToken=USER@REALM!TOKENID=SECRET`). */
import { timingSafeEqual } from 'node:crypto';
import type { TokenIdentity } from '../model/context';
import { PveError } from '../model/errors';
import type { TokenRole } from '../model/state';

export const TOKEN_IDS: Record<TokenRole, string> = {
  root: 'root@pam!genesis',
  provisioner: 'genesis@pve!provision',
  auditor: 'monitor@pve!exporter',
};

export interface SimulatorToken {
  id: string;
  secret: string;
}

export type SimulatorTokens = Record<TokenRole, SimulatorToken>;

export function tokensFrom(secrets: Record<TokenRole, string>): SimulatorTokens {
  return {
    root: { id: TOKEN_IDS.root, secret: secrets.root },
    provisioner: { id: TOKEN_IDS.provisioner, secret: secrets.provisioner },
    auditor: { id: TOKEN_IDS.auditor, secret: secrets.auditor },
  };
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token behind an Authorization header, or PVE's 401. */
export function authenticate(header: string | undefined, tokens: SimulatorTokens): TokenIdentity {
  if (!header) throw new PveError(401, 'No ticket');
  const m = /^PVEAPIToken=([^!\s]+@[^!\s]+)!([^=\s]+)[=:](\S+)$/.exec(header.trim());
  if (!m) throw new PveError(401, 'No ticket');
  const tokenId = `${m[1]}!${m[2]}`;
  for (const role of Object.keys(tokens) as TokenRole[]) {
    if (tokens[role].id === tokenId && sameSecret(tokens[role].secret, m[3])) {
      return { tokenId, user: m[1], role };
    }
  }
  throw new PveError(401, 'invalid token value!');
}
