/**
 * Putting the rendered network on a real host through an injected channel (the host-channel
 * library, ssh or local; a fake in tests). The API cannot write `post-up` lines or load nftables,
 * so this is the one step that edits host files: the policy file is checked with `nft -c` before it
 * replaces the old one, loaded with `nft -f` (forwarding on first), and the NAT lines are added to
 * the NAT bridges' stanzas of /etc/network/interfaces, where PVE keeps them across API rewrites
 * (INotify.pm reads unknown options into the interface's `options` and writes them back).
 */
import { natOptions, POLICY_PATH } from './interfaces';
import { networkRoles, type NetworkSpec } from './roles';
import { renderPolicy } from './policy';

export interface HostChannel {
  readFile(path: string): Promise<string>;
  writeFile(path: string, content: string): Promise<void>;
  /** Runs argv on the host; resolves with its exit code and output, never throws for a non-zero exit. */
  run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
}

export interface ApplyReport {
  policyChanged: boolean;
  interfacesChanged: boolean;
}

const INTERFACES = '/etc/network/interfaces';

export async function applyNetwork(host: HostChannel, spec: NetworkSpec, source?: string): Promise<ApplyReport> {
  const policy = renderPolicy(spec, source);
  const current = await host.readFile(POLICY_PATH).catch(() => '');
  const policyChanged = current !== policy;
  if (policyChanged) {
    const staged = `${POLICY_PATH}.new`;
    await host.writeFile(staged, policy);
    await must(host, ['nft', '-c', '-f', staged], `the rendered policy ${staged} does not load; nothing was changed (run \`nx run infra:rehearse\` to see why)`);
    await must(host, ['mv', staged, POLICY_PATH], `cannot move ${staged} to ${POLICY_PATH}`);
  }
  await must(host, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], 'cannot turn on IPv4 forwarding');
  await must(host, ['nft', '-f', POLICY_PATH], `nft -f ${POLICY_PATH} failed`);

  const before = await host.readFile(INTERFACES);
  const after = withNatOptions(before, networkRoles(spec).nat.map((b) => b.name));
  if (after !== before) await host.writeFile(INTERFACES, after);
  return { policyChanged, interfacesChanged: after !== before };
}

async function must(host: HostChannel, argv: string[], message: string): Promise<void> {
  const r = await host.run(argv);
  if (r.code !== 0) throw new Error(`${message}: \`${argv.join(' ')}\` exited ${r.code}: ${(r.stderr || r.stdout).trim()}`);
}

/**
 * The interfaces text with the NAT lines in each named bridge's `inet` stanza (after its option
 * lines, before its `#` comments, where PVE writes options), and nowhere else. Lines already there
 * are left alone, so a second run changes nothing.
 */
export function withNatOptions(text: string, bridges: string[], options = natOptions()): string {
  const lines = text.split('\n');
  for (const bridge of bridges) {
    const start = lines.findIndex((l) => new RegExp(`^iface ${bridge} inet `).test(l));
    if (start < 0) throw new Error(`${INTERFACES} has no "iface ${bridge} inet" stanza; create the bridge first (nx run infra:bridges)`);
    let end = start + 1;
    while (end < lines.length && /^\s+\S/.test(lines[end])) end++;
    const present = new Set(lines.slice(start + 1, end).map((l) => l.trim()));
    const missing = options.filter((o) => !present.has(o));
    lines.splice(end, 0, ...missing.map((o) => `\t${o}`));
  }
  return lines.join('\n');
}
