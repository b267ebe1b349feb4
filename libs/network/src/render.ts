/** `nx run infra:render`: the files the host will hold, written under dist/infra/<node>/. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderInterfacesFile } from './interfaces';
import { renderPolicy } from './policy';
import type { NetworkSpec } from './roles';

export interface RenderedHost {
  /** `/etc/network/interfaces`. */
  interfaces: string;
  /** `/etc/network/genesis.nft`. */
  policy: string;
}

export function renderHost(spec: NetworkSpec, source?: string): RenderedHost {
  return { interfaces: renderInterfacesFile(spec), policy: renderPolicy(spec, source) };
}

export function writeRendered(spec: NetworkSpec, outRoot: string, source?: string): { interfaces: string; policy: string } {
  const dir = join(outRoot, spec.node);
  mkdirSync(dir, { recursive: true });
  const files = renderHost(spec, source);
  const paths = { interfaces: join(dir, 'interfaces'), policy: join(dir, 'genesis.nft') };
  writeFileSync(paths.interfaces, files.interfaces);
  writeFileSync(paths.policy, files.policy);
  return paths;
}
