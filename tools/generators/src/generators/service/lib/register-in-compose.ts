// Kept in step: the service's block in docker-compose.yml and its overrides in every variant,
// keyed by the service name. Existing blocks (any service) are never modified.
import type { Tree } from '@nx/devkit';
import {
  composeBasePath,
  composeVariantPath,
  composeVariants,
  type ComposeVariant,
} from '../../../utils/paths';
import { baseImage } from '../../../utils/versions';
import {
  addEntryIfMissing,
  ensureRootMap,
  readYamlDocument,
  writeYamlDocument,
} from '../../../utils/yaml-document';
import type { NormalizedService } from './normalize-options';

export function baseComposeBlock(service: NormalizedService): Record<string, unknown> {
  return {
    image: `genesis/${service.name}:\${GENESIS_IMAGE_TAG:-latest}`,
    build: {
      context: '../..',
      dockerfile: `${service.root}/Dockerfile`,
      args: { BASE_IMAGE: `\${BASE_IMAGE:-${baseImage}}` },
    },
    environment: { HOST: '0.0.0.0', PORT: String(service.port) },
    expose: [String(service.port)],
  };
}

export function variantComposeBlock(
  service: NormalizedService,
  variant: ComposeVariant,
): Record<string, unknown> {
  switch (variant) {
    case 'dev':
      // Published on loopback only, on the port .env.example records for it.
      return { ports: [`127.0.0.1:\${${service.portVariable}:-${service.port}}:${service.port}`] };
    case 'mock':
      return { environment: { GENESIS_MODE: 'mock' } };
    case 'prod':
      return { restart: 'unless-stopped', environment: { NODE_ENV: 'production' } };
  }
}

export function registerInCompose(tree: Tree, service: NormalizedService): void {
  addServiceBlock(tree, composeBasePath, service.name, baseComposeBlock(service));
  for (const variant of composeVariants) {
    const path = composeVariantPath(variant);
    if (!tree.exists(path)) {
      throw new Error(`${path} is missing: run \`nx g @genesis/repo:init\` to create the compose variants`);
    }
    addServiceBlock(tree, path, service.name, variantComposeBlock(service, variant));
  }
}

function addServiceBlock(tree: Tree, path: string, name: string, block: Record<string, unknown>): void {
  const doc = readYamlDocument(tree, path);
  if (addEntryIfMissing(doc, ensureRootMap(doc, path, 'services'), name, block)) {
    writeYamlDocument(tree, path, doc);
  }
}
