/**
 * The `installer:` section of infra/genesis.yaml: what the host's own Proxmox VE automated install
 * needs (rendered to answer.toml by libs/installer). Only a crypt(3) hash of the root password is
 * accepted; a plain-text password is refused with the command that makes the hash.
 */
import { z } from 'zod';

const HASH_FIX = 'write the hash instead: `mkpasswd -m sha-512` or `openssl passwd -6`, e.g. via GENESIS_ROOT_PASSWORD_HASH';
const cryptHash = /^\$(1|5|6|y|gy|7|2[abxy])\$\S+\$\S+$/;

export const installerSchema = z
  .strictObject({
    fqdn: z.string().regex(/^(?=.{1,253}$)[a-zA-Z][a-zA-Z0-9-]{0,62}(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/, {
      message: 'is not a fully-qualified domain name; write host.domain, e.g. pve.hive.lan',
    }),
    country: z.string().regex(/^[a-z]{2}$/, { message: 'is not a two-letter country code (ISO 3166-1, lower case), e.g. de' }),
    keyboard: z.string().regex(/^[a-z]{2}(-[a-z]{2})?$/, { message: 'is not an installer keyboard layout, e.g. de, en-us, fr-ch' }),
    timezone: z.string().regex(/^(UTC|[A-Z][A-Za-z_+-]*(\/[A-Za-z0-9_+-]+)+)$/, { message: 'is not a timezone; write Area/City, e.g. Europe/Berlin, or UTC' }),
    mailto: z.string().regex(/^[^@\s]+@[^@\s]+$/, { message: 'is not an e-mail address; write user@domain, e.g. admin@hive.lan' }),
    root_password_hashed: z.string().default(''),
    root_password: z.unknown().optional(),
    root_ssh_keys: z.array(z.string()).default([]),
    disks: z.strictObject({
      filesystem: z.literal('zfs', { message: 'must be zfs; Genesis installs the host on a ZFS root' }).default('zfs'),
      raid: z.enum(['raid0', 'raid1', 'raid10', 'raidz-1', 'raidz-2', 'raidz-3'], {
        message: 'is not a ZFS raid level; use raid0, raid1, raid10, raidz-1, raidz-2 or raidz-3',
      }),
      disks: z.array(z.string().regex(/^[a-zA-Z0-9/_.:-]+$/, { message: 'is not a disk name; write it as the installer lists it, e.g. sda or nvme0n1' })).min(1),
      ashift: z.number().int().min(9).max(16).optional(),
      compress: z.enum(['on', 'off', 'lzjb', 'lz4', 'zle', 'gzip', 'zstd']).optional(),
      checksum: z.enum(['on', 'fletcher4', 'sha256']).optional(),
      copies: z.number().int().min(1).max(3).optional(),
      arc_max: z.number().int().min(64, { message: 'is below 64; ZFS needs at least 64 MiB of ARC' }).optional(),
      hdsize: z.number().min(2).optional(),
    }),
    network: z.discriminatedUnion(
      'source',
      [
        z.strictObject({ source: z.literal('dhcp') }),
        z.strictObject({
          source: z.literal('static'),
          bridge: z.string().regex(/^vmbr\d{1,4}$/, { message: 'is not a bridge name, e.g. vmbr0' }).default('vmbr0'),
          dns: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}$/, { message: 'is not an IPv4 address, e.g. 192.168.1.1' }),
        }),
      ],
      { message: 'source must be dhcp or static' },
    ),
    api_token: z
      .strictObject({
        user: z.string().regex(/^[a-z][a-z0-9._-]*@pve$/, { message: 'is not a PVE-realm user; write name@pve, e.g. genesis@pve' }).default('genesis@pve'),
        token: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]*$/, { message: 'is not a token id; letters, digits, . _ -, e.g. genesis' }).default('genesis'),
        role: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, { message: 'is not a role name, e.g. Genesis' }).default('Genesis'),
      })
      .default({ user: 'genesis@pve', token: 'genesis', role: 'Genesis' }),
  })
  // Reported on the section, not the field: the loader would quote a field's value, a password.
  .superRefine((v, ctx) => {
    if (v.root_password !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `root_password is a plain-text password; Genesis never writes one into an answer file. Remove it, ${HASH_FIX}, and set root_password_hashed`,
      });
    }
    if (v.root_password_hashed !== '' && !cryptHash.test(v.root_password_hashed)) {
      ctx.addIssue({ code: 'custom', path: [], message: `root_password_hashed does not look like a crypt(3) hash ($6$... or $y$...); ${HASH_FIX}` });
    }
  });

export type InstallerSpec = z.output<typeof installerSchema>;
