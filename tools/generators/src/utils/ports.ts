// Where each service listens. The agreed ports live here; a service added later gets the next
// free port in `servicePortRange`, and the record of what is taken is infra/compose/.env.example
// (one `<NAME>_HOST_PORT=<port>` line per service), read by `readPortRegistry`.
import { names } from '@nx/devkit';
import type { Tree } from '@nx/devkit';
import { envExamplePath } from './paths';

export const wellKnownPorts: Readonly<Record<string, number>> = {
  grafana: 3000,
  core: 3001,
  banker: 3002,
  prometheus: 9090,
  exporters: 9101,
};

export const servicePortRange = { first: 3003, last: 3099 } as const;

export function portVariable(service: string): string {
  return `${names(service).constantName}_HOST_PORT`;
}

/** `<NAME>_HOST_PORT` → port, for every such line in infra/compose/.env.example. */
export function readPortRegistry(tree: Tree): Map<string, number> {
  const ports = new Map<string, number>();
  if (!tree.exists(envExamplePath)) return ports;
  for (const line of (tree.read(envExamplePath, 'utf-8') ?? '').split('\n')) {
    const match = /^([A-Z0-9_]+_HOST_PORT)=(\d+)\s*$/.exec(line.trim());
    if (match) ports.set(match[1], Number(match[2]));
  }
  return ports;
}

/** The service's recorded port, else its agreed port, else the first free one in the range. */
export function portForService(tree: Tree, service: string): number {
  const registry = readPortRegistry(tree);
  const recorded = registry.get(portVariable(service));
  if (recorded !== undefined) return recorded;
  if (wellKnownPorts[service] !== undefined) return wellKnownPorts[service];
  const taken = new Set<number>([...registry.values(), ...Object.values(wellKnownPorts)]);
  for (let port = servicePortRange.first; port <= servicePortRange.last; port++) {
    if (!taken.has(port)) return port;
  }
  throw new Error(
    `${envExamplePath}: every port from ${servicePortRange.first} to ${servicePortRange.last} is taken; ` +
      `remove unused <NAME>_HOST_PORT lines or widen servicePortRange in tools/generators/src/utils/ports.ts`,
  );
}
