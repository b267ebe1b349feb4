// End to end, as a user would: a brand-new Nx workspace, @genesis/repo installed from the
// checkout, `nx g @genesis/repo:init`, install, lint/test/build everything; then a new service
// and the bad inputs. Needs the built plugin (the e2e target depends on generators:build).
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import {
  checkoutRoot,
  createEmptyNxWorkspace,
  listFiles,
  must,
  npmInstall,
  run,
  type EmptyWorkspace,
} from './workspace';

const git = (cwd: string, ...args: string[]) =>
  must(cwd, 'git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@localhost', ...args]);

describe('@genesis/repo in a brand-new Nx workspace', () => {
  let workspace: EmptyWorkspace;
  let root: string;
  const read = (path: string) => readFileSync(join(root, path), 'utf-8');

  beforeAll(() => {
    workspace = createEmptyNxWorkspace();
    root = workspace.root;
  });
  afterAll(() => workspace?.remove());

  it('init lays out the workspace, and lint, test and build pass there', () => {
    must(root, 'npx', ['nx', 'g', '@genesis/repo:init', '--skipInstall']);
    npmInstall(root);
    for (const path of ['apps/core/Dockerfile', 'infra/genesis.yaml', 'Makefile', 'CLAUDE.md']) {
      expect(existsSync(join(root, path))).toBe(true);
    }
    // The engine is the installed package (its bin), not a source folder of the workspace.
    expect(existsSync(join(root, 'libs/proxmox'))).toBe(false);
    expect(existsSync(join(root, 'node_modules/.bin/genesis'))).toBe(true);
    must(root, 'npx', ['nx', 'run-many', '-t', 'lint', 'test', 'build', '--outputStyle=static']);
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'init');
  });

  it('the plugin infers the infra targets from infra/genesis.yaml', () => {
    const infra = JSON.parse(must(root, 'npx', ['nx', 'show', 'project', 'infra', '--json']));
    for (const name of [
      'plan',
      'storage',
      'bridges',
      'firewall',
      'templates',
      'gpu',
      'vms',
      'provision',
      'verify',
    ]) {
      expect([name, infra.targets[name]?.cache]).toEqual([name, false]);
    }
    expect(infra.targets.provision.options.command).toBe(
      'node_modules/.bin/genesis provision --file infra/genesis.yaml',
    );
    expect(infra.targets.provision.dependsOn).toBeUndefined();
  });

  it('a second init changes nothing', () => {
    must(root, 'npx', ['nx', 'g', '@genesis/repo:init', '--skipInstall']);
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it('service trader is registered everywhere and its tests pass', () => {
    must(root, 'npx', ['nx', 'g', '@genesis/repo:service', 'trader', '--skipInstall']);
    npmInstall(root);
    for (const variant of ['', '.dev', '.mock', '.prod']) {
      expect(parse(read(`infra/compose/docker-compose${variant}.yml`)).services).toHaveProperty('trader');
    }
    // build-images builds the affected projects that have a docker:build target: trader has one.
    expect(
      JSON.parse(must(root, 'npx', ['nx', 'show', 'projects', '--with-target', 'docker:build', '--json'])),
    ).toContain('trader');
    const jobs = parse(read('infra/compose/prometheus/prometheus.yml')).scrape_configs;
    expect(jobs).toContainEqual(
      expect.objectContaining({ job_name: 'trader', static_configs: [{ targets: ['trader:3003'] }] }),
    );
    expect(read('infra/compose/.env.example')).toMatch(/^TRADER_HOST_PORT=3003$/m);
    must(root, 'npx', [
      'nx',
      'run-many',
      '-t',
      'lint',
      'test',
      'build',
      '-p',
      'trader',
      '--outputStyle=static',
    ]);
    // The image is built over this bundle: its Dockerfile copies it, .dockerignore lets it in.
    expect(existsSync(join(root, 'dist/apps/trader/main.js'))).toBe(true);
    expect(read('apps/trader/Dockerfile')).toContain('\nCOPY dist/apps/trader/ ./\n');
    expect(read('.dockerignore')).toMatch(/^!dist\/apps\/trader\/$/m);
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'trader');
  });

  it.each([
    ['an invalid name', 'Bad_Name', /Invalid service name "Bad_Name": use kebab-case/],
    ['an existing name', 'core', /A project named "core" already exists at apps\/core/],
    ['a reserved name', 'grafana', /"grafana": it is reserved/],
  ])('service with %s fails clearly and writes nothing', (_label, name, message) => {
    const result = run(root, 'npx', ['nx', 'g', '@genesis/repo:service', name, '--skipInstall']);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(message);
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it('init in a folder without nx.json fails clearly and writes nothing', () => {
    const folder = mkdtempSync(join(tmpdir(), 'genesis-not-nx-'));
    try {
      writeFileSync(join(folder, 'package.json'), '{ "name": "not-nx", "private": true }\n');
      symlinkSync(join(root, 'node_modules'), join(folder, 'node_modules'));
      const before = listFiles(folder);
      const result = run(folder, 'npx', ['nx', 'g', '@genesis/repo:init', '--skipInstall']);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/not an Nx workspace \(no nx.json\)/);
      expect(listFiles(folder)).toEqual(before);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('nx g @genesis/repo:init resolves the local TypeScript plugin inside the checkout', () => {
    const output = must(checkoutRoot, 'npx', ['nx', 'g', '@genesis/repo:init', '--dry-run', '--skipInstall']);
    expect(output).toContain('Generating @genesis/repo:init');
    expect(output).toContain('"dryRun" flag means no changes were made');
  });
});

describe('@genesis/repo in a workspace the user already has', () => {
  let workspace: EmptyWorkspace;
  let root: string;
  const userFiles: Record<string, string> = {
    Makefile: 'build:\n\tnpm run build\n',
    '.github/workflows/ci.yaml': 'name: my ci\non: push\njobs: {}\n',
    'jest.preset.js': "module.exports = require('@nx/jest/preset').default;\n",
    '.gitignore': '# mine\n/node_modules\n*.local\n',
  };

  beforeAll(() => {
    workspace = createEmptyNxWorkspace('genesis-e2e-user-');
    root = workspace.root;
    for (const [path, content] of Object.entries(userFiles)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    git(root, 'init', '-q');
  });
  afterAll(() => workspace?.remove());

  it('refuses a user library named core, with the reason, and writes nothing', () => {
    mkdirSync(join(root, 'libs/core'), { recursive: true });
    writeFileSync(join(root, 'libs/core/project.json'), '{ "name": "core", "projectType": "library" }\n');
    const before = listFiles(root);
    const result = run(root, 'npx', ['nx', 'g', '@genesis/repo:init', '--skipInstall']);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(
      /"core" is your library at libs\/core, but init registers a service named "core"/,
    );
    expect(listFiles(root)).toEqual(before);
    rmSync(join(root, 'libs/core'), { recursive: true, force: true });
  });

  it("keeps the user's files, writes Genesis's beside them, and ignores the secrets", () => {
    const output = must(root, 'npx', ['nx', 'g', '@genesis/repo:init', '--skipInstall']);
    expect(output).toContain('Makefile is yours');
    for (const [path, content] of Object.entries(userFiles)) {
      if (path !== '.gitignore') expect(readFileSync(join(root, path), 'utf-8')).toBe(content);
    }
    expect(readFileSync(join(root, '.gitignore'), 'utf-8').startsWith(userFiles['.gitignore'])).toBe(true);
    for (const beside of [
      'Makefile.genesis',
      '.github/workflows/ci.yaml.genesis',
      'jest.preset.genesis.js',
    ]) {
      expect(existsSync(join(root, beside))).toBe(true);
    }
    expect(git(root, 'check-ignore', 'infra/compose/.env', '.genesis/state.json').trim().split('\n')).toEqual(
      ['infra/compose/.env', '.genesis/state.json'],
    );
  });
});
