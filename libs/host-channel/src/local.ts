/**
 * The host is this machine (Genesis runs on the Proxmox node itself). Commands run directly as
 * root, or through `sudo -n` (never a password prompt) for another user.
 */
import { HostUnreachableError } from './channel';
import { execaRunner, type ProcessRunner } from './runner';
import { ShellHostChannel } from './shell-channel';

export interface LocalHostChannelOptions {
  runner?: ProcessRunner;
  /** Default: process.getuid() === 0. */
  isRoot?: boolean;
}

/** What `sudo -n` says when it would have to ask (sudo 1.9: "sudo: a password is required"). */
export const SUDO_NEEDS_PASSWORD = /sudo: (a password is required|a terminal is required)/;

export function sudoError(user: string, where: string): HostUnreachableError {
  return new HostUnreachableError(
    `${where}: ${user} is not root and sudo asks for a password; Genesis never types one. ` +
      `Log in as root, or allow ${user} passwordless sudo (a line "${user} ALL=(root) NOPASSWD: ALL" in /etc/sudoers.d/genesis)`,
  );
}

export class LocalHostChannel extends ShellHostChannel {
  constructor(options: LocalHostChannelOptions = {}) {
    const runner = options.runner ?? execaRunner;
    const root = options.isRoot ?? process.getuid?.() === 0;
    super('this machine', async (argv, { input, timeoutMs }) => {
      const [file, ...args] = root ? argv : ['sudo', '-n', '--', ...argv];
      const out = await runner(file, args, { input, timeoutMs });
      if (!root && out.exitCode === 1 && SUDO_NEEDS_PASSWORD.test(out.stderr)) throw sudoError(process.env.USER ?? 'this user', 'this machine');
      return out;
    });
  }
}
