import { readProjectConfiguration } from '@nx/devkit';
import { parse } from 'yaml';
import { changedPaths, initializedWorkspace, snapshotTree } from '../../testing/tree';
import { serviceGenerator } from './generator';

const add = (tree: Parameters<typeof serviceGenerator>[0], name: string) =>
  serviceGenerator(tree, { name, skipFormat: true, skipInstall: true });

describe('service', () => {
  it('adds the project and registers it in compose, CI, Prometheus, .env.example and .dockerignore', async () => {
    const tree = await initializedWorkspace();
    await add(tree, 'trader');

    const project = readProjectConfiguration(tree, 'trader');
    expect(project.root).toBe('apps/trader');
    expect(Object.keys(project.targets ?? {})).toEqual(['typecheck', 'build', 'serve', 'docker:build']);
    for (const file of ['src/main.ts', 'src/app.ts', 'src/app.spec.ts', 'Dockerfile', 'jest.config.cjs']) {
      expect(tree.exists(`apps/trader/${file}`)).toBe(true);
    }
    // The pattern of apps/core/Dockerfile: copy the prebuilt bundle, run it as a non-root user.
    const dockerfile = tree.read('apps/trader/Dockerfile', 'utf-8') ?? '';
    expect(dockerfile).toMatch(
      /ARG BASE_IMAGE=node:20-bookworm-slim\n[\s\S]*FROM \$\{BASE_IMAGE\} AS bundle\n[\s\S]*COPY dist\/apps\/trader\/ \.\/\n[\s\S]*FROM \$\{BASE_IMAGE\} AS runtime\n[\s\S]*PORT=3003\n[\s\S]*useradd --system --uid 10001[\s\S]*USER genesis:genesis\nEXPOSE 3003\n[\s\S]*HEALTHCHECK [\s\S]*CMD \["node", "main.js"\]\n$/,
    );
    expect(dockerfile).not.toMatch(/npm (ci|install)|COPY \. /);
    expect(project.targets?.['docker:build']).toMatchObject({
      dependsOn: ['build'],
      inputs: ['production', '^production', '{workspaceRoot}/.dockerignore'],
      options: {
        command:
          'docker build -f apps/trader/Dockerfile --build-arg BASE_IMAGE=${BASE_IMAGE:-node:20-bookworm-slim} -t genesis/trader:latest .',
      },
    });
    expect(tree.read('.dockerignore', 'utf-8')).toContain('\n!dist/apps/exporters/\n!dist/apps/trader/\n');

    const base = parse(tree.read('infra/compose/docker-compose.yml', 'utf-8')!);
    expect(base.services.trader.environment).toEqual({ HOST: '0.0.0.0', PORT: '3003' });
    for (const variant of ['dev', 'mock', 'prod']) {
      expect(
        parse(tree.read(`infra/compose/docker-compose.${variant}.yml`, 'utf-8')!).services.trader,
      ).toBeDefined();
    }
    // build-images builds the affected projects that have a docker:build target.
    expect(readProjectConfiguration(tree, 'trader').targets?.['docker:build']).toBeDefined();
    const jobs = parse(tree.read('infra/compose/prometheus/prometheus.yml', 'utf-8')!).scrape_configs;
    expect(jobs).toContainEqual(
      expect.objectContaining({ job_name: 'trader', static_configs: [{ targets: ['trader:3003'] }] }),
    );
    expect(tree.read('infra/compose/.env.example', 'utf-8')).toContain('\nTRADER_HOST_PORT=3003\n');
  });

  it('gives each new service the next free port', async () => {
    const tree = await initializedWorkspace();
    await add(tree, 'trader');
    await add(tree, 'risk-engine');
    expect(tree.read('infra/compose/.env.example', 'utf-8')).toContain('\nRISK_ENGINE_HOST_PORT=3004\n');
    expect(tree.read('apps/risk-engine/src/main.ts', 'utf-8')).toContain("process.env.PORT ?? '3004'");
  });

  it.each([
    ['Trader', /Invalid service name "Trader": use kebab-case/],
    ['trader_bot', /Invalid service name "trader_bot"/],
    ['1trader', /Invalid service name "1trader"/],
    ['prometheus', /"prometheus": it is reserved/],
    ['core', /A project named "core" already exists at apps\/core/],
    ['', /service name is missing/],
  ])('refuses %j with a clear error and writes nothing', async (name, message) => {
    const tree = await initializedWorkspace();
    const before = snapshotTree(tree);
    await expect(add(tree, name)).rejects.toThrow(message);
    expect(changedPaths(before, snapshotTree(tree))).toEqual([]);
  });

  it('refuses before writing when init has not run (no compose files)', async () => {
    const tree = await initializedWorkspace();
    tree.delete('infra/compose/docker-compose.yml');
    const before = snapshotTree(tree);
    await expect(add(tree, 'trader')).rejects.toThrow(
      /docker-compose.yml is missing: .* run `nx g @genesis\/repo:init` first/,
    );
    expect(changedPaths(before, snapshotTree(tree))).toEqual([]);
  });
});
