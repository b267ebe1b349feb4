/**
 * The rehearsal's world, built from network namespaces that all carry one random prefix:
 *   <p>-out   the outside host (198.51.100.10, a documentation address)
 *   <p>-wan   the router: the WAN gateway from genesis.yaml on the host's side, 198.51.100.1 outside,
 *             and a route to every internal subnet through the host (an attacker's best case)
 *   <p>-host  the PVE host: the uplink's NIC (a veth end named as in genesis.yaml), the rendered
 *             /etc/network/interfaces applied by the real ifupdown2 (`ifup -a`), whose post-up lines
 *             load the rendered policy with the real `nft -f`
 *   <p>-vm-<bridge>  one test VM per bridge, its veth end enslaved to that bridge in <p>-host
 * Links are created inside the namespaces, so nothing appears in the machine's own namespace, and
 * ifupdown2 runs with /etc/network, /run and /var/tmp replaced by private mounts (its config, lock
 * and state) so it neither reads nor writes the machine's network configuration.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { cidrContains, formatIpv4, parseCidr, type DesiredSpec, type Ipv4Cidr } from '@genesis/proxmox';
import { inNs, must, run } from './exec';
import type { RenderedHost } from '../render';

export const OUTSIDE = { address: '198.51.100.10', router: '198.51.100.1', prefix: 24 };

export interface TestVm {
  bridge: string;
  ns: string;
  /** `10.0.1.100/24`. */
  cidr: string;
  address: string;
}

export class Topology {
  readonly prefix = `gn${randomBytes(3).toString('hex')}`;
  readonly ns = { host: `${this.prefix}-host`, wan: `${this.prefix}-wan`, out: `${this.prefix}-out` };
  readonly vms = new Map<string, TestVm>();
  private readonly created: string[] = [];
  private readonly processes: ChildProcess[] = [];
  private dir?: string;
  private cleaned?: Promise<void>;

  constructor(
    private readonly spec: Pick<DesiredSpec, 'bridges' | 'vms'>,
    private readonly uplink: string,
    private readonly log: (line: string) => void = () => undefined,
  ) {}

  get managementCidr(): string {
    return this.uplinkSpec.cidr;
  }

  private get uplinkSpec(): { ports: string[]; cidr: string; address: string; prefix: number; gateway: string } {
    const b = this.spec.bridges.find((x) => x.name === this.uplink);
    const c = b?.cidr ? parseCidr(b.cidr) : undefined;
    if (!b?.cidr || !c || !b.gateway || b.ports.length === 0)
      throw new Error(`rehearsal: bridge ${this.uplink} needs ports, cidr and gateway in genesis.yaml (bridges[].ports/cidr/gateway) to stand for the WAN`);
    return { ports: b.ports, cidr: b.cidr, address: c.address, prefix: c.prefix, gateway: b.gateway };
  }

  private async addNs(name: string): Promise<void> {
    // After cleanup started (a signal mid-build), nothing new may appear.
    if (this.cleaned) throw new Error(`rehearsal ${this.prefix} was stopped; not creating ${name}`);
    this.created.push(name);
    await must(['ip', 'netns', 'add', name]);
    await must(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
  }

  private async sysctl(ns: string, key: string, value: string): Promise<void> {
    await must(inNs(ns, ['sysctl', '-q', '-w', `${key}=${value}`]));
  }

  /** Keeps a process to kill at cleanup (listeners). */
  track(child: ChildProcess): void {
    this.processes.push(child);
  }

  async build(rendered: RenderedHost): Promise<void> {
    const up = this.uplinkSpec;
    const gw = up.gateway;
    const prefixLen = up.prefix;
    if (cidrContains(cidrOf(`${OUTSIDE.address}/${OUTSIDE.prefix}`), gw))
      throw new Error(`rehearsal: ${this.uplink}'s gateway ${gw} is inside the outside network ${OUTSIDE.address}/24; the rehearsal cannot stand in for it`);
    this.dir = mkdtempSync(join(tmpdir(), `${this.prefix}-`));
    const etc = join(this.dir, 'etc-network');
    mkdirSync(join(etc, 'interfaces.d'), { recursive: true });
    cpSync('/etc/network/ifupdown2', join(etc, 'ifupdown2'), { recursive: true });
    writeFileSync(join(etc, 'interfaces'), rendered.interfaces);
    writeFileSync(join(etc, 'genesis.nft'), rendered.policy);

    for (const ns of [this.ns.out, this.ns.wan, this.ns.host]) await this.addNs(ns);
    // New namespaces may inherit forwarding from the machine; the host must get it from post-up.
    await this.sysctl(this.ns.host, 'net.ipv4.ip_forward', '0');
    await this.sysctl(this.ns.wan, 'net.ipv4.ip_forward', '1');

    await must(['ip', '-n', this.ns.wan, 'link', 'add', 'out0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', this.ns.out]);
    await must(['ip', '-n', this.ns.wan, 'addr', 'add', `${OUTSIDE.router}/${OUTSIDE.prefix}`, 'dev', 'out0']);
    await must(['ip', '-n', this.ns.out, 'addr', 'add', `${OUTSIDE.address}/${OUTSIDE.prefix}`, 'dev', 'eth0']);
    await must(['ip', '-n', this.ns.wan, 'link', 'set', 'out0', 'up']);
    await must(['ip', '-n', this.ns.out, 'link', 'set', 'eth0', 'up']);
    await must(['ip', '-n', this.ns.out, 'route', 'add', 'default', 'via', OUTSIDE.router]);

    await must(['ip', '-n', this.ns.host, 'link', 'add', up.ports[0], 'type', 'veth', 'peer', 'name', 'lan0', 'netns', this.ns.wan]);
    await must(['ip', '-n', this.ns.wan, 'addr', 'add', `${gw}/${prefixLen}`, 'dev', 'lan0']);
    await must(['ip', '-n', this.ns.wan, 'link', 'set', 'lan0', 'up']);
    const hostAddress = up.address;
    for (const b of this.spec.bridges)
      if (b.cidr && b.name !== this.uplink)
        await must(['ip', '-n', this.ns.wan, 'route', 'add', formatNetwork(b.cidr), 'via', hostAddress]);

    this.log(`applying the rendered interfaces with ifup -a in ${this.ns.host}`);
    const mounts = [
      `mount --bind '${etc}' /etc/network`,
      'mount -t tmpfs genesis-run /run',
      'mkdir -p /run/network',
      'mount -t tmpfs genesis-var-tmp /var/tmp',
      'exec ifup -a',
    ].join(' && ');
    const ifup = await run(inNs(this.ns.host, ['sh', '-c', mounts]), 120_000);
    if (ifup.code !== 0) throw new Error(`rehearsal: ifup -a refused the rendered interfaces (exit ${ifup.code}): ${ifup.stderr.trim()}`);
    for (const line of ifup.stderr.split('\n').filter((l) => l.trim())) this.log(`ifup: ${line}`);

    for (const b of this.spec.bridges) await this.addVm(b.name);
  }

  private async addVm(bridge: string): Promise<void> {
    const b = this.spec.bridges.find((x) => x.name === bridge);
    if (!b?.cidr) return;
    const c = cidrOf(b.cidr);
    const declared = this.spec.vms.find((v) => v.bridge === bridge && v.address)?.address;
    const cidr = declared ?? `${freeAddress(this.spec, b.cidr, b.gateway)}/${c.prefix}`;
    const ns = `${this.prefix}-vm-${bridge}`;
    const tap = `tap-${bridge}`.slice(0, 15);
    await this.addNs(ns);
    await must(['ip', '-n', this.ns.host, 'link', 'add', tap, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await must(['ip', '-n', this.ns.host, 'link', 'set', tap, 'master', bridge]);
    await must(['ip', '-n', this.ns.host, 'link', 'set', tap, 'up']);
    await must(['ip', '-n', ns, 'addr', 'add', cidr, 'dev', 'eth0']);
    await must(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
    await must(['ip', '-n', ns, 'route', 'add', 'default', 'via', b.gateway ?? c.address]);
    this.vms.set(bridge, { bridge, ns, cidr, address: cidr.split('/')[0] });
  }

  /** Kills the listeners, deletes every namespace this run made (their links go with them), removes the temp dir. */
  cleanup(): Promise<void> {
    this.cleaned ??= (async () => {
      for (const p of this.processes) p.kill('SIGKILL');
      for (const ns of [...this.created].reverse()) await run(['ip', 'netns', 'del', ns]);
      if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.cleaned;
  }
}

/** The desired state was validated on load; a CIDR that does not parse here is a bug, said plainly. */
function cidrOf(text: string): Ipv4Cidr {
  const c = parseCidr(text);
  if (!c) throw new Error(`rehearsal: "${text}" is not an IPv4 CIDR`);
  return c;
}

function formatNetwork(cidr: string): string {
  const c = cidrOf(cidr);
  return `${formatIpv4(c.network)}/${c.prefix}`;
}

/** The highest host address of the bridge's subnet that nothing in genesis.yaml uses. */
function freeAddress(spec: Pick<DesiredSpec, 'vms'>, bridgeCidr: string, gateway: string | undefined): string {
  const c = cidrOf(bridgeCidr);
  const used = new Set([c.address, gateway, ...spec.vms.map((v) => v.address?.split('/')[0])]);
  for (let n = c.broadcast - 1; n > c.network; n--) if (!used.has(formatIpv4(n))) return formatIpv4(n);
  throw new Error(`rehearsal: no free address left in ${bridgeCidr} for a test VM`);
}
