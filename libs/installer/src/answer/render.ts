/**
 * infra/genesis.yaml's `installer:` section → answer.toml for the Proxmox VE automated installer
 * (plus the first-boot script it names). Static network settings come from the management bridge
 * (its address, gateway and first port, which the installer matches by udev ID_NET_NAME). Refuses,
 * before anything is written, what the installer would refuse or Genesis will not write.
 */
import type { DesiredState } from '@genesis/proxmox';
import { checkAnswer } from './check';
import { renderFirstBootScript } from './first-boot';
import { stringify } from './toml';

export class InstallerConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: the installer section cannot be rendered; nothing was written:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'InstallerConfigError';
  }
}

export interface RenderedInstall {
  answerToml: string;
  firstBootScript: string;
}

const RAID: Record<string, string> = { raid0: 'RAID0', raid1: 'RAID1', raid10: 'RAID10', 'raidz-1': 'RAIDZ-1', 'raidz-2': 'RAIDZ-2', 'raidz-3': 'RAIDZ-3' };

export function renderInstall(state: DesiredState): RenderedInstall {
  const file = state.source.file;
  const spec = state.installer;
  if (!spec) throw new InstallerConfigError(file, ['installer: is missing; add the installer section (see infra/genesis.yaml in the repository)']);
  const problems: string[] = [];
  if (!spec.root_password_hashed) {
    problems.push(
      'installer.root_password_hashed: is empty; set it (or GENESIS_ROOT_PASSWORD_HASH) to a hash from `mkpasswd -m sha-512` or `openssl passwd -6`',
    );
  }

  let network: Record<string, unknown> = { source: 'from-dhcp' };
  if (spec.network.source === 'static') {
    const name = spec.network.bridge;
    const bridge = state.bridges.find((b) => b.name === name);
    if (!bridge) problems.push(`installer.network.bridge: "${name}" is not declared under bridges:; name the management bridge, e.g. vmbr0`);
    else {
      if (!bridge.cidr) problems.push(`bridges.${name}.cidr: is missing; the installer needs the host's address`);
      if (!bridge.gateway) problems.push(`bridges.${name}.gateway: is missing; the installer needs the default gateway`);
      if (!bridge.ports?.length) problems.push(`bridges.${name}.ports: is empty; the installer picks the NIC by its name, add e.g. ports: [enp3s0]`);
      network = {
        source: 'from-answer',
        cidr: bridge.cidr,
        gateway: bridge.gateway,
        dns: spec.network.dns,
        filter: { ID_NET_NAME: bridge.ports?.[0] },
      };
    }
  }
  if (problems.length) throw new InstallerConfigError(file, problems);

  const d = spec.disks;
  const zfs: Record<string, unknown> = { raid: RAID[d.raid] };
  if (d.ashift !== undefined) zfs.ashift = d.ashift;
  if (d.arc_max !== undefined) zfs['arc-max'] = d.arc_max;
  if (d.checksum !== undefined) zfs.checksum = d.checksum;
  if (d.compress !== undefined) zfs.compress = d.compress;
  if (d.copies !== undefined) zfs.copies = d.copies;
  if (d.hdsize !== undefined) zfs.hdsize = d.hdsize;

  const answer = {
    global: {
      keyboard: spec.keyboard,
      country: spec.country,
      fqdn: spec.fqdn,
      mailto: spec.mailto,
      timezone: spec.timezone,
      'root-password-hashed': spec.root_password_hashed,
      'root-ssh-keys': spec.root_ssh_keys.filter((k) => k.trim() !== ''),
    },
    network,
    'disk-setup': { filesystem: 'zfs', 'disk-list': d.disks, zfs },
    'first-boot': { source: 'from-iso', ordering: 'fully-up' },
  };
  const answerToml =
    `# answer.toml for the Proxmox VE automated installer, rendered from ${file} (installer:).\n` +
    '# Check: genesis answer --check FILE. Bake into the ISO:\n' +
    '#   proxmox-auto-install-assistant prepare-iso --fetch-from iso --answer-file dist/infra/answer.toml \\\n' +
    '#     --on-first-boot dist/infra/first-boot.sh proxmox-ve.iso\n' +
    `${stringify(answer)}\n`;

  const checked = checkAnswer(answerToml);
  if (!checked.ok) throw new InstallerConfigError(file, [`installer: the rendered answer file is refused by the installer's rules: ${checked.message}`]);
  return { answerToml, firstBootScript: renderFirstBootScript(spec.api_token) };
}
