/**
 * `nvidia-smi --query-gpu=<fields> --format=csv,noheader` inside a guest with an RTX 3090 passed
 * through (agent exec hook). Values from the real capture of an RTX 3090 inside a VM
 * (../shared/fixtures/nvidia-smi/rtx-3090-v12.xml, telegraf test data: driver 525.147.05,
 * 24576 MiB, bus 00000000:00:10.0); an unknown field is refused as nvidia-smi does.
 */
import type { GuestExecHook, GuestExecResult } from '../model/host';
import type { SimState } from '../model/state';

const RTX_3090_IN_VM: Record<string, string> = {
  name: 'NVIDIA GeForce RTX 3090',
  driver_version: '525.147.05',
  'memory.total': '24576 MiB',
  'memory.used': '1 MiB',
  'pci.bus_id': '00000000:00:10.0',
  'temperature.gpu': '37',
  'power.draw': '27.23 W',
  'fan.speed': '0 %',
};

function hasGpu(state: SimState, vmid: number): boolean {
  const vm = state.vms[String(vmid)];
  if (!vm) return false;
  return Object.entries(vm.config).some(([k, v]) => {
    if (!/^hostpci\d+$/.test(k)) return false;
    const mapping = /(?:^|,)mapping=([^,]+)/.exec(v)?.[1];
    const ids = mapping ? (state.pciMappings[mapping]?.map ?? []).map((m) => /(?:^|,)id=([^,]+)/.exec(m)?.[1]) : [];
    return ids.some((id) => id?.startsWith('10de:')) || /(?:^|,)(?:host=)?0000:01:00/.test(v);
  });
}

export function guestNvidiaSmi(state: () => SimState): GuestExecHook {
  return (vmid, argv): GuestExecResult | undefined => {
    if ((argv[0] ?? '').split('/').pop() !== 'nvidia-smi') return undefined;
    const query = argv.find((a) => a.startsWith('--query-gpu='));
    if (!query) return undefined;
    if (!hasGpu(state(), vmid))
      return { exitcode: 9, out: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n\n" };
    const fields = query.slice('--query-gpu='.length).split(',');
    const unknown = fields.find((f) => !(f in RTX_3090_IN_VM));
    if (unknown) return { exitcode: 2, out: `Field "${unknown}" is not a valid field to query.\n\n` };
    const line = fields.map((f) => RTX_3090_IN_VM[f]).join(', ');
    const header = argv.some((a) => a.includes('noheader')) ? '' : `${fields.join(', ')}\n`;
    return { exitcode: 0, out: `${header}${line}\n` };
  };
}
