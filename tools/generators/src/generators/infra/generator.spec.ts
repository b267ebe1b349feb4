import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { parse } from 'yaml';
import {
  initializedWorkspace,
  itWithTool,
  snapshotTree,
  tempDir,
  writeTreeTo,
  emptyWorkspace,
} from '../../testing/tree';
import { infraGenerator } from './generator';

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf-8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('infra', () => {
  it('creates the infra project, compose variants, .env.example, cloud-init and scripts', async () => {
    const tree = emptyWorkspace();
    await infraGenerator(tree, { skipFormat: true });
    expect(JSON.parse(tree.read('infra/project.json', 'utf-8')!).tags).toEqual(['type:infra']);
    expect(parse(tree.read('infra/compose/docker-compose.yml', 'utf-8')!).services).toHaveProperty(
      'prometheus',
    );
    const env = tree.read('infra/compose/.env.example', 'utf-8')!;
    for (const variable of [
      'PVE_HOST',
      'PVE_TOKEN_SECRET',
      'GRAFANA_ADMIN_PASSWORD',
      'PROMETHEUS_HOST_PORT',
      'BASE_IMAGE',
    ]) {
      expect(env).toMatch(new RegExp(`^${variable}=`, 'm'));
    }
    expect(tree.listChanges().find((c) => c.path === 'scripts/development/start-dev.sh')?.options?.mode).toBe(
      '755',
    );
  });

  it('leaves existing files as the user wrote them', async () => {
    const tree = emptyWorkspace();
    tree.write('infra/genesis.yaml', 'version: 1 # mine\n');
    await infraGenerator(tree, { skipFormat: true });
    expect(tree.read('infra/genesis.yaml', 'utf-8')).toBe('version: 1 # mine\n');
  });

  describe('with the real tools (after init, so the services are registered)', () => {
    let dir: string;
    let remove: () => void;
    beforeAll(async () => {
      ({ dir, remove } = tempDir('genesis-infra-'));
      const tree = await initializedWorkspace();
      writeTreeTo(tree, dir, [...snapshotTree(tree).keys()]);
    });
    afterAll(() => remove());

    itWithTool('docker-compose')('every compose variant is valid for docker-compose', () => {
      for (const variant of ['dev', 'mock', 'prod']) {
        const result = run(
          'docker-compose',
          [
            '--project-directory',
            'infra/compose',
            '-f',
            'infra/compose/docker-compose.yml',
            '-f',
            `infra/compose/docker-compose.${variant}.yml`,
            'config',
            '-q',
          ],
          dir,
        );
        expect({ variant, ...result }).toEqual({ variant, status: 0, output: '' });
      }
    });

    itWithTool('promtool')('the Prometheus config passes promtool', () => {
      const result = run(
        'promtool',
        ['check', 'config', join(dir, 'infra/compose/prometheus/prometheus.yml')],
        dir,
      );
      expect(result.output).toContain('SUCCESS');
      expect(result.status).toBe(0);
    });

    itWithTool('shellcheck')('the scripts are shellcheck-clean', () => {
      const scripts = ['setup-nvidia-toolkit.sh'].map((s) => `scripts/setup/${s}`);
      scripts.push(
        ...['start-dev.sh', 'stop-dev.sh', 'reset-data.sh'].map((s) => `scripts/development/${s}`),
      );
      const result = run('shellcheck', scripts, dir);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    });

    itWithTool('cloud-init')('the cloud-init user data passes its schema', () => {
      const result = run('cloud-init', ['schema', '--config-file', 'infra/cloud-init/ubuntu-ai.yaml'], dir);
      expect(result.status).toBe(0);
    });
  });
});
