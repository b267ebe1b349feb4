/**
 * Traffic between the rehearsal's namespaces: ICMP echo (`ping` from iputils when installed,
 * otherwise the same echo request from a raw socket in python3) and TCP to a listener that answers
 * with the peer address it saw, which is how the outside host reports the NAT source.
 */
import type { ChildProcess } from 'node:child_process';
import { have, inNs, run, startReady } from './exec';

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

const ICMP_ECHO_PY = `
import os, select, socket, struct, sys, time
def csum(b):
    if len(b) % 2: b += b'\\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b)); s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
dst, wait = sys.argv[1], float(sys.argv[2]); ident = os.getpid() & 0xffff; body = b'genesis-rehearsal'
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
head = struct.pack('!BBHHH', 8, 0, 0, ident, 1)
s.sendto(struct.pack('!BBHHH', 8, 0, csum(head + body), ident, 1) + body, (dst, 0))
end = time.time() + wait
while time.time() < end:
    if not select.select([s], [], [], max(0, end - time.time()))[0]: break
    data, addr = s.recvfrom(2048); ihl = (data[0] & 15) * 4
    kind, _, _, got, _ = struct.unpack('!BBHHH', data[ihl:ihl + 8])
    if kind == 0 and got == ident and addr[0] == dst: print('echo reply from', dst); sys.exit(0)
print('no echo reply from', dst); sys.exit(1)
`;

let pingAvailable: Promise<boolean> | undefined;

/** One echo request from namespace `ns` to `target`, waiting `waitS` seconds for the reply. */
export async function icmpEcho(ns: string, target: string, waitS = 2): Promise<ProbeResult> {
  pingAvailable ??= have('ping');
  const argv = (await pingAvailable)
    ? ['ping', '-n', '-c', '1', '-W', String(waitS), target]
    : ['python3', '-c', ICMP_ECHO_PY, target, String(waitS)];
  const r = await run(inNs(ns, argv), (waitS + 30) * 1000);
  const how = argv[0] === 'ping' ? 'ping' : 'icmp echo (python3, no ping installed)';
  return { ok: r.code === 0, detail: r.code === 0 ? `${how}: reply` : `${how}: no reply` };
}

/** TCP from `ns` to host:port; the listener's first line (the source address it saw) comes back. */
export async function tcpConnect(ns: string, host: string, port: number, waitS = 3): Promise<ProbeResult & { seen?: string }> {
  const script = 'exec 3<>"/dev/tcp/$0/$1" && IFS= read -r line <&3 && printf "%s\\n" "$line"';
  const r = await run(inNs(ns, ['timeout', String(waitS), 'bash', '-c', script, host, String(port)]), (waitS + 30) * 1000);
  const seen = r.stdout.trim();
  if (r.code === 0 && seen) return { ok: true, seen, detail: `tcp ${host}:${port} answered, saw source ${seen}` };
  const why = r.code === 124 ? 'no answer (timed out)' : /refused/i.test(r.stderr) ? 'refused' : /reset/i.test(r.stderr) ? 'reset' : r.stderr.trim() || `exit ${r.code}`;
  return { ok: false, detail: `tcp ${host}:${port}: ${why}` };
}

/** A listener in `ns` that answers each connection with the peer address and closes. */
export function startSourceEcho(ns: string, host: string, port: number): Promise<ChildProcess> {
  const js =
    "const [h,p]=process.argv.slice(-2);require('net').createServer(s=>s.end(String(s.remoteAddress).replace(/^::ffff:/,'')+'\\n'))" +
    ".listen(Number(p),h,()=>console.log('listening'))";
  return startReady(inNs(ns, [process.execPath, '-e', js, host, String(port)]), /listening/);
}
