// Kept in step: infra/compose/.env.example gets `<NAME>_HOST_PORT=<port>`, which is also the record
// of taken ports (utils/ports.ts).
import type { Tree } from '@nx/devkit';
import { envExamplePath } from '../../../utils/paths';
import { readPortRegistry } from '../../../utils/ports';
import type { NormalizedService } from './normalize-options';

export function registerInEnvExample(tree: Tree, service: NormalizedService): void {
  if (readPortRegistry(tree).has(service.portVariable)) return;
  const text = tree.read(envExamplePath, 'utf-8') ?? '';
  const separator = text === '' || text.endsWith('\n') ? '' : '\n';
  tree.write(
    envExamplePath,
    `${text}${separator}# ${service.name}: published on 127.0.0.1 in the dev variant\n` +
      `${service.portVariable}=${service.port}\n`,
  );
}
