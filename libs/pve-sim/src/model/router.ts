/** Every simulated route, and matching a request path to one of them. */
import { agentRoutes } from './agent';
import { clusterRoutes } from './cluster';
import type { HttpMethod, Route } from './context';
import { diskRoutes } from './disks';
import { firewallRoutes } from './firewall';
import { networkRoutes } from './network';
import { nodeRoutes } from './nodes';
import { pciRoutes } from './pci';
import { qemuRoutes } from './qemu';
import { storageRoutes } from './storage';
import { storageUploadRoutes } from './storage-upload';
import { taskRoutes } from './tasks';

export const ALL_ROUTES: Route[] = [
  ...nodeRoutes,
  ...taskRoutes,
  ...networkRoutes,
  ...diskRoutes,
  ...storageRoutes,
  ...storageUploadRoutes,
  ...qemuRoutes,
  ...agentRoutes,
  ...pciRoutes,
  ...firewallRoutes,
  ...clusterRoutes,
];

/** Path parameters that take the rest of the path, slashes included (as in PVE's schema). */
const GREEDY = new Set(['volume']);

interface CompiledRoute {
  route: Route;
  regex: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: CompiledRoute[];

  constructor(routes: Route[] = ALL_ROUTES) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{([\w-]+)\}/g, (_m, name: string) => {
        names.push(name);
        return GREEDY.has(name) ? '(.+)' : '([^/]+)';
      });
      return { route, regex: new RegExp(`^${source}/?$`), names };
    });
  }

  match(method: HttpMethod, path: string): { route: Route; pathParams: Record<string, string> } | undefined {
    for (const { route, regex, names } of this.compiled) {
      if (route.method !== method) continue;
      const m = regex.exec(path);
      if (!m) continue;
      const pathParams: Record<string, string> = {};
      names.forEach((name, i) => {
        try {
          pathParams[name] = decodeURIComponent(m[i + 1]);
        } catch {
          pathParams[name] = m[i + 1];
        }
      });
      return { route, pathParams };
    }
    return undefined;
  }
}
