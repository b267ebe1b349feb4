/**
 * The host over the system `ssh`, so the user's ~/.ssh/config, agent and known_hosts apply as they
 * do for them. One multiplexed connection per run (ControlMaster, socket in a private temporary
 * directory, closed by close()); BatchMode, so ssh fails instead of asking; `sudo -n` when the
 * login is not root. The remote side gets one quoted command string, as ssh requires.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostUnreachableError, type CommandOutput } from './channel';
import { SUDO_NEEDS_PASSWORD, sudoError } from './local';
import { execaRunner, type ProcessRunner } from './runner';
import { ShellHostChannel } from './shell-channel';
import { shellJoin } from './shell-quote';

export interface SshTarget {
  /** What ssh is given: `root@192.168.1.10`, `admin@pve`, or a Host alias from ~/.ssh/config. */
  destination: string;
  port?: number;
  identityFile?: string;
  /** Default: ssh's own (~/.ssh/known_hosts). */
  knownHostsFile?: string;
  /** Default: ssh's own (~/.ssh/config). */
  configFile?: string;
  /** Seconds (default 10). */
  connectTimeout?: number;
  /** More `-o Key=Value` options. */
  options?: Record<string, string>;
}

export interface SshHostChannelOptions {
  runner?: ProcessRunner;
  /** The ssh binary (default `ssh` from PATH). */
  ssh?: string;
}

/** ssh's own exit status for "could not connect or authenticate" (ssh(1): exits with 255 on error). */
const SSH_FAILED = 255;

export function sshArgs(target: SshTarget, controlPath: string): string[] {
  const o = (k: string, v: string) => ['-o', `${k}=${v}`];
  return [
    ...(target.configFile ? ['-F', target.configFile] : []),
    ...o('BatchMode', 'yes'),
    ...o('ConnectTimeout', String(target.connectTimeout ?? 10)),
    ...o('ControlMaster', 'auto'),
    ...o('ControlPath', controlPath),
    ...o('ControlPersist', '60'),
    ...o('ServerAliveInterval', '15'),
    ...o('ServerAliveCountMax', '4'),
    ...(target.knownHostsFile ? o('UserKnownHostsFile', target.knownHostsFile) : []),
    ...(target.identityFile ? ['-i', target.identityFile, ...o('IdentitiesOnly', 'yes')] : []),
    ...(target.port ? ['-p', String(target.port)] : []),
    ...Object.entries(target.options ?? {}).flatMap(([k, v]) => o(k, v)),
  ];
}

function unreachable(target: SshTarget, out: CommandOutput): HostUnreachableError {
  const said = out.stderr.trim().split('\n').filter((l) => !l.startsWith('Warning: Permanently added')).join('; ');
  let fix = 'check that the host is up and `ssh ' + target.destination + ' true` works from this shell';
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/.test(said))
    fix = `add the host's key to known_hosts once (ssh ${target.destination} true, compare the fingerprint with the console's \`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub\`)`;
  else if (/Permission denied/.test(said))
    fix = `give ssh a key the host accepts (ssh-copy-id ${target.destination}, or load it into ssh-agent); BatchMode never asks for a password`;
  else if (/Connection refused|timed out|No route to host|Could not resolve/.test(said))
    fix = `check the address (PVE_SSH / PVE_HOST) and that sshd listens${target.port ? ` on port ${target.port}` : ''}`;
  return new HostUnreachableError(`ssh ${target.destination}: ${said || `exit ${out.exitCode}`}; ${fix}`);
}

export class SshHostChannel extends ShellHostChannel {
  constructor(target: SshTarget, options: SshHostChannelOptions = {}) {
    const runner = options.runner ?? execaRunner;
    const ssh = options.ssh ?? 'ssh';
    // %C (a hash of local host, remote host, port, user) keeps the socket path short.
    const controlDir = mkdtempSync(join(tmpdir(), 'genesis-ssh-'));
    const base = sshArgs(target, join(controlDir, '%C'));
    let sudo: Promise<boolean> | undefined;

    const raw = async (remote: string, input: string | undefined, timeoutMs: number): Promise<CommandOutput> => {
      const out = await runner(ssh, [...base, target.destination, '--', remote], { input, timeoutMs });
      if (out.exitCode === SSH_FAILED) throw unreachable(target, out);
      return out;
    };
    // Whether commands need sudo: asked once, over the connection that is opened anyway.
    const needsSudo = () =>
      (sudo ??= raw('id -u', undefined, 30_000).then((out) => {
        if (out.exitCode !== 0) throw unreachable(target, out);
        return out.stdout.trim() !== '0';
      }));

    super(`ssh ${target.destination}${target.port ? ` (port ${target.port})` : ''}`, async (argv, { input, timeoutMs }) => {
      const viaSudo = await needsSudo();
      const out = await raw(shellJoin(viaSudo ? ['sudo', '-n', '--', ...argv] : argv), input, timeoutMs);
      if (viaSudo && out.exitCode === 1 && SUDO_NEEDS_PASSWORD.test(out.stderr)) throw sudoError(target.destination.split('@')[0], target.destination);
      return out;
    }, async () => {
      if (sudo) await runner(ssh, [...base, '-O', 'exit', target.destination], { timeoutMs: 10_000 }).catch(() => undefined);
      rmSync(controlDir, { recursive: true, force: true });
    });
  }
}
