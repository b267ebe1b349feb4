/**
 * The simulated node as a host channel: its directory (`.genesis/sim/host`) and commands, except
 * `/etc/network/interfaces`, which is the simulator's own network model, so the API and a shell
 * on the node see one file. A read is the file as pve-common writes it; a write is read back the
 * way PVE reads it (`read_etc_network_interfaces`: lines it does not manage, such as `post-up`,
 * become each interface's `options`), and the previous text is kept as `interfaces.genesis.bak`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { BACKUP_SUFFIX, DirectoryHostChannel, type DirectoryHostCommands, type WriteOptions, type WriteResult } from '@genesis/host-channel';
import { interfacesFileText, readInterfaceOptions } from '../model/network';
import type { SimulatorState } from '../server/simulator';

export const INTERFACES_PATH = '/etc/network/interfaces';

export class SimulatedHostChannel extends DirectoryHostChannel {
  constructor(
    root: string,
    private readonly sim: Pick<SimulatorState, 'read' | 'update'>,
    commands: DirectoryHostCommands,
    description?: string,
  ) {
    super(root, commands, description);
  }

  override async readFile(path: string): Promise<string | undefined> {
    if (path !== INTERFACES_PATH) return super.readFile(path);
    return interfacesFileText(this.sim.read().network.applied);
  }

  override async writeFile(path: string, content: string, options: WriteOptions = {}): Promise<WriteResult> {
    if (path !== INTERFACES_PATH) return super.writeFile(path, content, options);
    const backup = this.resolve(`${INTERFACES_PATH}${BACKUP_SUFFIX}`);
    mkdirSync(dirname(backup), { recursive: true });
    writeFileSync(backup, interfacesFileText(this.sim.read().network.applied));
    const options_ = readInterfaceOptions(content);
    this.sim.update((s) => {
      for (const iface of s.network.applied) {
        const lines = options_.get(iface.iface) ?? [];
        iface.options = lines.length ? lines.join('\n') : undefined;
      }
    });
    return { path, backup: `${INTERFACES_PATH}${BACKUP_SUFFIX}` };
  }
}
