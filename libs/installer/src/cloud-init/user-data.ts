/**
 * The Ubuntu template's user data (infra/cloud-init/*.yaml) with the SSH keys from config added
 * to its first user, comment-preserving (yaml Document). Refuses user data that would set a
 * password or allow password login, and an empty key list (the VM would be unreachable).
 */
import { isMap, isSeq, parseDocument, YAMLSeq } from 'yaml';

export class UserDataError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'UserDataError';
  }
}

const SSH_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/=]+( .*)?$/;

export function renderUserData(text: string, keys: string[], file = 'user-data'): string {
  if (!text.startsWith('#cloud-config\n')) throw new UserDataError(file, 'must start with the line #cloud-config');
  const usable = keys.map((k) => k.trim()).filter((k) => k !== '');
  if (usable.length === 0) throw new UserDataError(file, 'no SSH key to add; without a password the VM would be unreachable. Set one (e.g. GENESIS_ROOT_SSH_KEY) in infra/genesis.yaml');
  const bad = usable.findIndex((k) => !SSH_KEY.test(k));
  if (bad >= 0) throw new UserDataError(file, `SSH key ${bad + 1} is not an OpenSSH public key (type base64 [comment]); paste the .pub file's line`);

  const doc = parseDocument(text);
  if (doc.errors.length) throw new UserDataError(file, `YAML: ${doc.errors[0].message.split('\n')[0]}`);
  if (doc.get('ssh_pwauth') !== false) throw new UserDataError(file, 'must say ssh_pwauth: false (no password login)');
  for (const forbidden of ['password', 'chpasswd']) {
    if (doc.has(forbidden)) throw new UserDataError(file, `${forbidden}: sets a password; remove it, keys only`);
  }
  const users = doc.get('users');
  if (!isSeq(users) || !isMap(users.items[0])) throw new UserDataError(file, 'users: needs a first user to carry the SSH keys');
  const user = users.items[0];
  for (const forbidden of ['passwd', 'hashed_passwd', 'plain_text_passwd']) {
    if (user.has(forbidden)) throw new UserDataError(file, `users[0].${forbidden}: sets a password; remove it, keys only`);
  }
  if (user.get('lock_passwd') !== true) throw new UserDataError(file, 'users[0].lock_passwd must be true (no password)');
  const seq = new YAMLSeq();
  for (const k of usable) seq.add(doc.createNode(k));
  user.set('ssh_authorized_keys', seq);
  // lineWidth 0: a key or an apt source line is never folded; the file keeps its own flow style.
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
