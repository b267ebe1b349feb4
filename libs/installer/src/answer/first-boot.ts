/**
 * The first-boot script baked into the install ISO (`[first-boot] source = "from-iso"`, passed to
 * `proxmox-auto-install-assistant prepare-iso --on-first-boot`): creates the PVE user, role, ACL
 * and API token Genesis uses. Idempotent; it logs each step to the journal and writes the token
 * secret only to a root-only file, never to the log.
 */
import type { InstallerSpec } from '@genesis/proxmox';

/**
 * What the engine does through the API: storage, bridges and host firewall (Sys.Modify),
 * templates, clones, cloud-init, GPU resource mappings, power, guest agent. PVE 9 split
 * VM.Monitor into VM.GuestAgent.*; both lists are checked against the official schemas in tests.
 */
const COMMON = [
  'Datastore.Allocate', 'Datastore.AllocateSpace', 'Datastore.AllocateTemplate', 'Datastore.Audit',
  'Sys.Audit', 'Sys.Modify', 'SDN.Use', 'SDN.Audit', 'Mapping.Audit', 'Mapping.Modify', 'Mapping.Use',
  'VM.Allocate', 'VM.Audit', 'VM.Clone', 'VM.Config.CDROM', 'VM.Config.CPU', 'VM.Config.Cloudinit', 'VM.Config.Disk',
  'VM.Config.HWType', 'VM.Config.Memory', 'VM.Config.Network', 'VM.Config.Options', 'VM.PowerMgmt', 'VM.Snapshot',
];
export const ENGINE_PRIVILEGES = {
  pve8: [...COMMON, 'VM.Monitor'],
  pve9: [...COMMON, 'VM.GuestAgent.Audit', 'VM.GuestAgent.Unrestricted'],
};

export const TOKEN_FILE = '/root/genesis-api-token.json';

const shellWord = (s: string) => {
  if (!/^[A-Za-z0-9@._!/-]+$/.test(s)) throw new Error(`"${s}" cannot be written into the first-boot script; use letters, digits and @ . _ -`);
  return s;
};

export function renderFirstBootScript(token: InstallerSpec['api_token']): string {
  const user = shellWord(token.user);
  const id = shellWord(token.token);
  const role = shellWord(token.role);
  return `#!/bin/bash
# Genesis first boot on the freshly installed Proxmox VE host (rendered from infra/genesis.yaml,
# installer.api_token; run once by proxmox-first-boot.service). Creates the API user, role, ACL
# and token Genesis uses. Safe to run again: existing objects are kept, the role's privileges are
# brought up to date. The token secret goes to ${TOKEN_FILE} (0600), never to the log.
set -euo pipefail

USER_ID='${user}'
TOKEN_ID='${id}'
ROLE='${role}'
TOKEN_FILE='${TOKEN_FILE}'
PRIVS_PVE8='${ENGINE_PRIVILEGES.pve8.join(',')}'
PRIVS_PVE9='${ENGINE_PRIVILEGES.pve9.join(',')}'

log() { echo "genesis-first-boot: $*"; }

# has KIND FIELD VALUE: pveum KIND list (JSON) contains an entry whose FIELD is VALUE
has() {
  local listing
  listing=$(pveum "$1" list --output-format json)
  grep -Eq "\\"$2\\": *\\"$3\\"" <<<"$listing"
}

major=$(pveversion | sed -n 's#^pve-manager/\\([0-9][0-9]*\\)\\..*#\\1#p')
if [ "\${major:-9}" -ge 9 ]; then privs=$PRIVS_PVE9; else privs=$PRIVS_PVE8; fi
log "Proxmox VE \${major:-unknown}: role $ROLE gets $privs"

if has role roleid "$ROLE"; then
  pveum role modify "$ROLE" --privs "$privs"
  log "role $ROLE updated"
else
  pveum role add "$ROLE" --privs "$privs"
  log "role $ROLE created"
fi

if has user userid "$USER_ID"; then
  log "user $USER_ID exists"
else
  pveum user add "$USER_ID" --comment 'Genesis automation (infra/genesis.yaml)'
  log "user $USER_ID created"
fi

pveum acl modify / --users "$USER_ID" --roles "$ROLE"
log "ACL / -> $USER_ID as $ROLE"

tokens=$(pveum user token list "$USER_ID" --output-format json)
if grep -Eq "\\"tokenid\\": *\\"$TOKEN_ID\\"" <<<"$tokens"; then
  log "token $USER_ID!$TOKEN_ID exists; secret unchanged in $TOKEN_FILE"
else
  umask 077
  pveum user token add "$USER_ID" "$TOKEN_ID" --privsep 0 --comment 'Genesis engine' --output-format json >"$TOKEN_FILE.tmp"
  mv "$TOKEN_FILE.tmp" "$TOKEN_FILE"
  log "token $USER_ID!$TOKEN_ID created; secret in $TOKEN_FILE (root only)"
fi
`;
}
