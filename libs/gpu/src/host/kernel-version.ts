/** Kernel release strings (`6.8.12-4-pve`, `6.1.0-50-cloud-amd64`) compared by their numbers. */
export function kernelVersion(release: string): [number, number, number] {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release.trim());
  if (!m) throw new Error(`"${release}" is not a kernel release (expected e.g. 6.8.12-4-pve, as uname -r prints)`);
  return [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
}

export function kernelAtLeast(release: string, major: number, minor: number): boolean {
  const [a, b] = kernelVersion(release);
  return a > major || (a === major && b >= minor);
}

/** The newest release of a list (/lib/modules entries): the one the boot loader starts by default. */
export function newestKernel(releases: string[]): string | undefined {
  const valid = releases.filter((r) => /^\d+\.\d+/.test(r));
  return valid.sort((x, y) => {
    const [a, b] = [kernelVersion(x), kernelVersion(y)];
    return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || x.localeCompare(y, 'en', { numeric: true });
  }).pop();
}
