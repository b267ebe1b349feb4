import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderPolicy } from './policy';
import { asRoot, genesisWith } from './testing';

const rules = (policy: string) => policy.split('\n').map((l) => l.trim());

describe('the host forwarding policy (nftables)', () => {
  const policy = renderPolicy(genesisWith());

  it('replaces only its own table, in one transaction', () => {
    expect(policy.split('\n').filter((l) => /^(table|delete|flush)/.test(l))).toEqual([
      'table inet genesis',
      'delete table inet genesis',
      'table inet genesis {',
    ]);
    expect(policy).not.toContain('flush ruleset');
  });

  it('accepts replies, lets the intranet and DMZ out through vmbr0, masquerades them, and closes them to the WAN and each other', () => {
    const r = rules(policy);
    expect(r.indexOf('ct state established,related accept')).toBeLessThan(r.findIndex((l) => l.includes('drop comment')));
    expect(r).toEqual(expect.arrayContaining([
      'iifname "vmbr2" oifname "vmbr1" drop comment "vmbr2 never reaches vmbr1"',
      'iifname "vmbr1" oifname "vmbr0" accept comment "vmbr1 out through vmbr0"',
      'iifname "vmbr0" oifname "vmbr1" drop comment "nothing from vmbr0 opens a connection into vmbr1"',
      'iifname "vmbr0" oifname "vmbr2" drop comment "nothing from vmbr0 opens a connection into vmbr2"',
      'oifname "vmbr0" ip saddr 10.0.1.0/24 masquerade comment "vmbr1 NAT"',
      'oifname "vmbr0" ip saddr 10.0.2.0/24 masquerade comment "vmbr2 NAT"',
    ]));
  });

  it('opens exactly what genesis.yaml declares: reach between bridges, port forwards from the uplink', () => {
    const open = renderPolicy(
      genesisWith(['    comment: Intranet\n', '    comment: Intranet\n    reach: [vmbr2]\n    forwards: [{ port: 8443, to: 10.0.1.100, to_port: 443, comment: brain UI }]\n']),
    );
    const r = rules(open);
    expect(r).toContain('iifname "vmbr1" oifname "vmbr2" accept comment "vmbr1 may reach vmbr2"');
    expect(r).toContain('iifname "vmbr2" oifname "vmbr1" drop comment "vmbr2 never reaches vmbr1"');
    expect(r).toContain('iifname "vmbr0" tcp dport 8443 dnat ip to 10.0.1.100:443 comment "brain UI"');
    const accept = r.indexOf('iifname "vmbr0" oifname "vmbr1" ip daddr 10.0.1.100 tcp dport 443 ct status dnat accept comment "brain UI"');
    expect(accept).toBeGreaterThan(-1);
    expect(accept).toBeLessThan(r.findIndex((l) => l.startsWith('iifname "vmbr0" oifname "vmbr1" drop')));
  });

  asRoot('loads with the real nft (checked in a throwaway network namespace)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genesis-nft-'));
    try {
      const file = join(dir, 'genesis.nft');
      writeFileSync(file, policy);
      const listed = execFileSync('unshare', ['-n', 'sh', '-c', `nft -f '${file}' && nft -f '${file}' && nft list ruleset`], { encoding: 'utf8' });
      expect(listed.match(/^table /gm)).toEqual(['table ']);
      expect(listed).toContain('masquerade');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
