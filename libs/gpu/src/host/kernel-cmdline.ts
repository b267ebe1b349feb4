/**
 * Kernel options in the two places a Proxmox host keeps them (pve-docs system-booting.adoc,
 * "Editing the Kernel Commandline"): GRUB's GRUB_CMDLINE_LINUX_DEFAULT in /etc/default/grub, or
 * systemd-boot's one line in /etc/kernel/cmdline. Options are added once; the user's others stay
 * where they are; an option given with another value (`iommu=soft`) takes the wanted value.
 */

/** `quiet iommu=pt` + [`iommu=pt`, `intel_iommu=on`] → `quiet iommu=pt intel_iommu=on`. */
export function withKernelOptions(cmdline: string, wanted: string[]): string {
  const tokens = cmdline.trim().split(/\s+/).filter(Boolean);
  const key = (t: string) => t.split('=')[0];
  for (const option of wanted) {
    const at = tokens.findIndex((t) => key(t) === key(option));
    if (at < 0) tokens.push(option);
    else tokens[at] = option;
  }
  return tokens.join(' ');
}

export const hasKernelOptions = (cmdline: string, wanted: string[]) => withKernelOptions(cmdline, wanted) === cmdline.trim().split(/\s+/).filter(Boolean).join(' ');

const GRUB_LINE = /^(\s*GRUB_CMDLINE_LINUX_DEFAULT=)(?:"([^"]*)"|'([^']*)'|(\S*))\s*(#.*)?$/;

/** The value of the last GRUB_CMDLINE_LINUX_DEFAULT assignment (the one the shell keeps). */
export function grubDefaultCmdline(grub: string): string | undefined {
  let value: string | undefined;
  for (const line of grub.split('\n')) {
    const m = GRUB_LINE.exec(line);
    if (m) value = m[2] ?? m[3] ?? m[4] ?? '';
  }
  return value;
}

/** /etc/default/grub with the options added to its (last) GRUB_CMDLINE_LINUX_DEFAULT, nothing else touched. */
export function withGrubOptions(grub: string, wanted: string[]): string {
  const lines = grub.split('\n');
  let last = -1;
  lines.forEach((l, i) => {
    if (GRUB_LINE.test(l)) last = i;
  });
  if (last < 0) {
    const text = grub.endsWith('\n') || grub === '' ? grub : `${grub}\n`;
    return `${text}GRUB_CMDLINE_LINUX_DEFAULT="${withKernelOptions('', wanted)}"\n`;
  }
  const m = GRUB_LINE.exec(lines[last])!;
  const quote = m[3] !== undefined ? "'" : '"';
  const value = withKernelOptions(m[2] ?? m[3] ?? m[4] ?? '', wanted);
  lines[last] = `${m[1]}${quote}${value}${quote}${m[5] ? ` ${m[5]}` : ''}`;
  return lines.join('\n');
}

/** /etc/kernel/cmdline: one line; anything after it is kept as it is. */
export function withSystemdBootOptions(cmdline: string, wanted: string[]): string {
  const [first, ...rest] = cmdline.split('\n');
  const line = withKernelOptions(first, wanted);
  return rest.length ? [line, ...rest].join('\n') : `${line}\n`;
}
