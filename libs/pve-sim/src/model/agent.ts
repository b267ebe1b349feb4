/**
 * `/nodes/{node}/qemu/{vmid}/agent/*`: the guest agent answers only while the VM runs, has
 * `agent: 1`, and has booted far enough (`agentStartupMs`). `exec` runs a small built-in shell
 * (echo, hostname, nvidia-smi -L for a passed-through GPU, ...) or the `guestExec` hook.
 */
import { createHash } from 'node:crypto';
import { int, list, type RequestContext, type Route } from './context';
import { dieError } from './errors';
import type { GuestExecResult, SimHost } from './host';
import { getProp, parsePropertyString } from './property-string';
import { resolveHostpci } from './pci';
import { agentEnabled } from './qemu';
import { guestOsInstalled } from './guest-install';
import { effectiveConfig, findVm } from './qemu-config';
import type { PciDevice, VmState } from './state';

/** qemu-server's agent_available, in its order: configured, VM running, agent answering. */
function assertAgent(ctx: RequestContext, vm: VmState): void {
  if (vm.config.agent === undefined) throw dieError('No QEMU guest agent configured');
  if (vm.status !== 'running') throw dieError(`VM ${vm.vmid} is not running`);
  // With `agent: 0` QEMU has no agent channel, so it never answers.
  if (!agentEnabled(vm) || Date.now() - (vm.startedAt ?? 0) < ctx.host.behaviour.agentStartupMs) {
    throw dieError('QEMU guest agent is not running');
  }
  // A Windows VM still in (or never given) its unattended install has no agent yet.
  if (!guestOsInstalled(ctx.host, vm)) throw dieError('QEMU guest agent is not running');
}

function passedThrough(host: SimHost, vm: VmState): PciDevice[] {
  return Object.entries(vm.config)
    .filter(([k]) => /^hostpci\d+$/.test(k))
    .flatMap(([k, v]) => {
      try {
        return resolveHostpci(host, k, v);
      } catch {
        return [];
      }
    });
}

function gpuUuid(device: PciDevice): string {
  const h = createHash('sha1').update(device.id).digest('hex');
  return `GPU-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** One simple command of the built-in guest shell; undefined when the binary does not exist. */
function runSimple(host: SimHost, vm: VmState, argv: string[]): GuestExecResult | undefined {
  const [cmd, ...args] = argv;
  const name = (cmd ?? '').split('/').pop() ?? '';
  const hostname = vm.config.name ?? `vm${vm.vmid}`;
  const gpus = passedThrough(host, vm).filter((d) => d.vendor === '0x10de' && d.class.startsWith('0x03'));
  switch (name) {
    case 'true':
      return { exitcode: 0 };
    case 'false':
      return { exitcode: 1 };
    case 'echo':
      return { exitcode: 0, out: `${args.join(' ')}\n` };
    case 'hostname':
      return { exitcode: 0, out: `${hostname}\n` };
    case 'cat':
      if (args[0] === '/etc/hostname') return { exitcode: 0, out: `${hostname}\n` };
      return { exitcode: 1, err: `cat: ${args[0] ?? ''}: No such file or directory\n` };
    case 'uname':
      return { exitcode: 0, out: args.includes('-r') ? '6.8.0-45-generic\n' : 'Linux\n' };
    case 'cloud-init':
      return { exitcode: 0, out: 'status: done\n' };
    case 'systemctl':
      return { exitcode: 0, out: 'active\n' };
    case 'lspci':
      return {
        exitcode: 0,
        out: passedThrough(host, vm)
          .map((d, i) => `0${i + 1}:00.0 ${d.class.startsWith('0x03') ? 'VGA compatible controller' : 'Audio device'}: ${d.vendor_name} ${d.device_name} (rev a1)\n`)
          .join(''),
      };
    case 'nvidia-smi':
      if (gpus.length === 0) {
        return {
          exitcode: 9,
          out: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n",
        };
      }
      if (args.includes('-L')) {
        return { exitcode: 0, out: gpus.map((g, i) => `GPU ${i}: NVIDIA GeForce RTX 3090 (UUID: ${gpuUuid(g)})\n`).join('') };
      }
      if (args.some((a) => a.startsWith('--query-gpu'))) {
        return { exitcode: 0, out: gpus.map((g) => `NVIDIA GeForce RTX 3090, ${gpuUuid(g)}, 24576 MiB\n`).join('') };
      }
      return { exitcode: 0, out: `NVIDIA-SMI 550.120  Driver Version: 550.120  CUDA Version: 12.4\n${gpus.map((_, i) => `|   ${i}  NVIDIA GeForce RTX 3090  Off |\n`).join('')}` };
    default:
      return undefined;
  }
}

function runShell(host: SimHost, vm: VmState, script: string): GuestExecResult {
  let out = '';
  let err = '';
  let exitcode = 0;
  for (const part of script.split(/\s*(&&|;)\s*/)) {
    if (part === '&&') {
      if (exitcode !== 0) break;
      continue;
    }
    if (part === ';' || part.trim() === '') continue;
    const argv = part.trim().split(/\s+/).map((a) => a.replace(/^['"]|['"]$/g, ''));
    const result = runSimple(host, vm, argv);
    if (!result) {
      return { exitcode: 127, out, err: `${err}sh: 1: ${argv[0]}: not found\n` };
    }
    out += result.out ?? '';
    err += result.err ?? '';
    exitcode = result.exitcode;
  }
  return { exitcode, out, err };
}

function execute(host: SimHost, vm: VmState, argv: string[]): GuestExecResult {
  const hooked = host.behaviour.guestExec?.(vm.vmid, argv);
  if (hooked) return hooked;
  const name = (argv[0] ?? '').split('/').pop() ?? '';
  if ((name === 'sh' || name === 'bash') && argv[1] === '-c') return runShell(host, vm, argv.slice(2).join(' '));
  const result = runSimple(host, vm, argv);
  if (!result) {
    throw dieError(`Agent error: Guest agent command failed, error was 'Failed to execute child process “${argv[0]}” (No such file or directory)'`);
  }
  return result;
}

function agentRoute(method: Route['method'], command: string, handler: (ctx: RequestContext, vm: VmState) => unknown): Route {
  return {
    method,
    path: `/nodes/{node}/qemu/{vmid}/agent/${command}`,
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const vm = findVm(ctx.host, ctx.pathParams.vmid);
      assertAgent(ctx, vm);
      return handler(ctx, vm);
    },
  };
}

function guestAddress(host: SimHost, vm: VmState): { ip: string; prefix: number } | undefined {
  const config = effectiveConfig(vm);
  const ipconfig = config.ipconfig0 ? getProp(parsePropertyString(config.ipconfig0), 'ip') : undefined;
  if (ipconfig && ipconfig !== 'dhcp') {
    const [ip, prefix] = ipconfig.split('/');
    return { ip, prefix: Number(prefix) };
  }
  // DHCP: an address in the bridge's subnet derived from the VM id.
  const bridge = config.net0 ? getProp(parsePropertyString(config.net0), 'bridge') : undefined;
  const cidr = host.state.network.applied.find((i) => i.iface === bridge)?.cidr;
  if (!cidr) return undefined;
  const [address, prefix] = String(cidr).split('/');
  const octets = address.split('.');
  octets[3] = String(100 + (vm.vmid % 100));
  return { ip: octets.join('.'), prefix: Number(prefix) };
}

export const agentRoutes: Route[] = [
  agentRoute('POST', 'ping', () => ({ result: {} })),
  agentRoute('GET', 'get-host-name', (_ctx, vm) => ({ result: { 'host-name': vm.config.name ?? `vm${vm.vmid}` } })),
  agentRoute('GET', 'get-osinfo', () => ({
    result: { id: 'ubuntu', name: 'Ubuntu', 'pretty-name': 'Ubuntu 24.04.1 LTS', 'version-id': '24.04', 'kernel-release': '6.8.0-45-generic', machine: 'x86_64' },
  })),
  agentRoute('GET', 'network-get-interfaces', (ctx, vm) => {
    const net0 = effectiveConfig(vm).net0;
    const mac = net0 ? parsePropertyString(net0).pairs[0]?.[1] : undefined;
    const address = guestAddress(ctx.host, vm);
    return {
      result: [
        { name: 'lo', 'hardware-address': '00:00:00:00:00:00', 'ip-addresses': [{ 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 }] },
        ...(mac
          ? [{
              name: 'eth0',
              'hardware-address': mac.toLowerCase(),
              'ip-addresses': address ? [{ 'ip-address': address.ip, 'ip-address-type': 'ipv4', prefix: address.prefix }] : [],
            }]
          : []),
      ],
    };
  }),
  agentRoute('POST', 'exec', (ctx, vm) => {
    let argv = list(ctx, 'command');
    // A single string is split on whitespace, as qm guest exec does.
    if (argv.length === 1) argv = argv[0].split(/\s+/).filter(Boolean);
    if (argv.length === 0) throw dieError("parameter 'command' is required");
    const result = execute(ctx.host, vm, argv);
    const pid = 1000 + ctx.host.state.agentExec.length + Math.floor(Math.random() * 1000);
    ctx.host.state.agentExec.push({
      vmid: vm.vmid,
      pid,
      exitcode: result.exitcode,
      out: result.out ?? '',
      err: result.err ?? '',
      exitsAtMs: Date.now() + Math.min(100, ctx.host.behaviour.taskDurationMs),
    });
    if (ctx.host.state.agentExec.length > 200) ctx.host.state.agentExec.shift();
    return { pid };
  }),
  agentRoute('GET', 'exec-status', (ctx, vm) => {
    const pid = int(ctx, 'pid');
    const exec = ctx.host.state.agentExec.find((e) => e.vmid === vm.vmid && e.pid === pid);
    if (!exec) throw dieError(`Agent error: Invalid parameter 'pid'`);
    if (Date.now() < exec.exitsAtMs) return { exited: 0 };
    return {
      exited: 1,
      exitcode: exec.exitcode,
      ...(exec.out ? { 'out-data': exec.out } : {}),
      ...(exec.err ? { 'err-data': exec.err } : {}),
    };
  }),
  {
    method: 'GET',
    path: '/nodes/{node}/qemu/{vmid}/agent',
    handler: () => ['exec', 'exec-status', 'get-host-name', 'get-osinfo', 'network-get-interfaces', 'ping'].map((name) => ({ name })),
  },
];


