// @genesis/host-channel: commands and files on the Proxmox host, over ssh, locally, or on the
// simulator's host directory; injected wherever the host is touched outside the API.
export * from './channel';
export { unifiedDiff } from './diff';
export { DirectoryHostChannel, type DirectoryHostCommands } from './directory';
export { LocalHostChannel, type LocalHostChannelOptions } from './local';
export { execaRunner, ProcessStartError, type ProcessOptions, type ProcessResult, type ProcessRunner } from './runner';
export { ShellHostChannel, type HostExec } from './shell-channel';
export { shellJoin, shellQuote } from './shell-quote';
export { sshArgs, SshHostChannel, type SshHostChannelOptions, type SshTarget } from './ssh';
