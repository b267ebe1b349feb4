import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { addProjectConfiguration } from '@nx/devkit';
import { parse } from 'yaml';
import { emptyWorkspace, initializedWorkspace, itWithTool, tempDir, writeTreeTo } from '../../testing/tree';
import { ownedFiles } from '../../utils/ownership';
import { ciGenerator } from './generator';

const workspaceRoot = resolve(__dirname, '..', '..', '..', '..', '..');
const bin = (name: string) => join(workspaceRoot, 'node_modules', '.bin', name);

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf-8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('ci', () => {
  it('writes every owned file and nothing else', async () => {
    const tree = emptyWorkspace();
    const before = new Set(tree.listChanges().map((change) => change.path));
    await ciGenerator(tree, { skipFormat: true });
    const written = tree
      .listChanges()
      .map((change) => change.path)
      .filter((path) => !before.has(path));
    expect(written.sort()).toEqual([...ownedFiles].sort());
  });

  it('builds images only for the services a change affects, through their docker:build targets', async () => {
    const tree = emptyWorkspace();
    addProjectConfiguration(tree, 'web', { root: 'apps/web', projectType: 'application' });
    tree.write('apps/web/Dockerfile', 'FROM scratch\n');
    await ciGenerator(tree, { skipFormat: true });
    const workflow = parse(tree.read('.github/workflows/build-images.yaml', 'utf-8')!);
    expect(workflow.env.BASE_IMAGE).toBe('node:20-bookworm-slim');
    const affected = workflow.jobs.affected;
    expect(affected.steps).toEqual(
      expect.arrayContaining([
        { uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } },
        { run: 'npm ci --no-audit --no-fund' },
        { uses: 'nrwl/nx-set-shas@v4' },
      ]),
    );
    expect(affected.steps.at(-1).run).toContain('npx nx show projects --affected --with-target docker:build --json');
    const image = workflow.jobs.image;
    expect(image.needs).toBe('affected');
    expect(image.if).toBe("needs.affected.outputs.services != '[]'");
    expect(image.strategy.matrix.service).toBe('${{ fromJSON(needs.affected.outputs.services) }}');
    expect(image.steps).toEqual([
      { uses: 'actions/checkout@v4' },
      { uses: 'actions/setup-node@v4', with: { 'node-version': 20, cache: 'npm' } },
      { run: 'npm ci --no-audit --no-fund' },
      { name: 'Build ${{ matrix.service }}', run: 'npx nx run ${{ matrix.service }}:docker:build --outputStyle=static' },
    ]);
  });

  it('runs lint, typecheck, test and build on affected projects with full history', async () => {
    const tree = emptyWorkspace();
    await ciGenerator(tree, { skipFormat: true });
    const job = parse(tree.read('.github/workflows/ci.yaml', 'utf-8')!).jobs.main;
    expect(job.strategy.matrix.node).toEqual(['20', '22', '24']);
    const steps = job.steps;
    expect(steps[0]).toEqual({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
    expect(steps).toEqual(
      expect.arrayContaining([
        { uses: 'actions/setup-node@v4', with: { 'node-version': '${{ matrix.node }}', cache: 'npm' } },
        { run: 'npm ci --no-audit --no-fund' },
        { uses: 'nrwl/nx-set-shas@v4' },
        { run: 'npx nx affected -t lint typecheck test build --outputStyle=static' },
      ]),
    );
  });

  it('pins Ruff and Black and runs Prettier and ESLint on staged files through Nx', async () => {
    const tree = emptyWorkspace();
    await ciGenerator(tree, { skipFormat: true });
    const repos = parse(tree.read('.pre-commit-config.yaml', 'utf-8')!).repos;
    expect(repos.map((r: { repo: string; rev?: string }) => [r.repo, r.rev])).toEqual([
      ['https://github.com/astral-sh/ruff-pre-commit', 'v0.12.0'],
      ['https://github.com/psf/black', '25.1.0'],
      ['local', undefined],
    ]);
    expect(repos[2].hooks.map((hook: { entry: string }) => hook.entry)).toEqual([
      'npx nx format:write --files',
      'npx nx affected -t lint --outputStyle=static --files',
    ]);
  });

  describe('with the real tools', () => {
    let dir: string;
    let remove: () => void;
    beforeAll(async () => {
      ({ dir, remove } = tempDir('genesis-ci-'));
      const tree = await initializedWorkspace();
      writeTreeTo(tree, dir, [...ownedFiles]);
    });
    afterAll(() => remove());

    it.each(['.github/workflows/ci.yaml', '.github/workflows/build-images.yaml'])(
      '%s passes action-validator',
      (workflow) => {
        const result = run(bin('action-validator'), [workflow], dir);
        expect(result.output).toBe('');
        expect(result.status).toBe(0);
      },
    );

    itWithTool('pre-commit')('.pre-commit-config.yaml passes pre-commit validate-config', () => {
      const result = run('pre-commit', ['validate-config', '.pre-commit-config.yaml'], dir);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    });

    it('renders YAML that Prettier leaves as it is (nx format:write is a no-op on owned files)', () => {
      const yamlFiles = ownedFiles.filter((path) => path.endsWith('.yaml'));
      const result = run(
        bin('prettier'),
        ['--config', join(workspaceRoot, '.prettierrc'), '--check', ...yamlFiles],
        dir,
      );
      expect(result.status).toBe(0);
    });

    itWithTool('shellcheck')('renders a shellcheck-clean install-dependencies.sh', () => {
      const result = run('shellcheck', ['scripts/setup/install-dependencies.sh'], dir);
      expect(result.output).toBe('');
      expect(result.status).toBe(0);
    });
  });
});
