/** A directory host for unit tests: the layout written into a temp dir, `lspci` from a fixture. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DirectoryHostChannel } from '@genesis/host-channel';
import { hostLayout, lspciFixture, type HostLayoutOptions } from './host-layout';

export interface TestHostOptions extends HostLayoutOptions {
  files?: Record<string, string>;
  kernels?: string[];
  uname?: string;
  lspci?: string;
  bootTool?: 'uefi' | 'grub';
}

export async function testHost(options: TestHostOptions = {}): Promise<{ host: DirectoryHostChannel; ran: string[][]; cleanup: () => void }> {
  const root = mkdtempSync(join(tmpdir(), 'genesis-gpu-host-'));
  const ran: string[][] = [];
  const host = new DirectoryHostChannel(root, (argv) => {
    ran.push(argv);
    const ok = (stdout = '') => ({ stdout, stderr: '', exitCode: 0 });
    switch (argv.join(' ')) {
      case 'uname -r':
        return ok(`${options.uname ?? '6.8.12-4-pve'}\n`);
      case 'lspci -nnk':
        return ok(options.lspci ?? lspciFixture('nouveau'));
      case 'proxmox-boot-tool status':
        return ok(`System currently booted with uefi\n6BD1-0F5C is configured with: ${options.bootTool ?? 'uefi'} (versions: 6.8.12-4-pve)\n`);
      default:
        return ok();
    }
  });
  for (const [path, text] of Object.entries({ ...hostLayout(options), ...options.files })) await host.writeFile(path, text);
  for (const k of options.kernels ?? ['6.8.12-4-pve']) await host.writeFile(`/lib/modules/${k}/modules.dep`, '');
  return { host, ran, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
