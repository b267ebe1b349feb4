// The user's path end to end, from the packed tarballs only (no source of this repository):
// create-nx-workspace --preset=apps, install dist/packages/*.tgz, `nx g @genesis/repo:init`, then
// provision and verify on the embedded simulator and lint/test/build everything; the same in a
// workspace that already holds the user's own files; and the preset from the tarball.
// Target `generators:e2e-workspace` (it packs first). Slow: see the README for its duration.
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkoutRoot, listFiles, must, npmInstall, packedTarballs, run } from './workspace';

/** The create-nx-workspace the issue names: the latest 22.7 patch. */
const createNxWorkspace = 'create-nx-workspace@22.7.x';
const cnwFlags = ['--nxCloud=skip', '--no-interactive', '--packageManager=npm', '--skipGit'];

const git = (cwd: string, ...args: string[]) =>
  must(cwd, 'git', ['-c', 'user.name=e2e', '-c', 'user.email=e2e@localhost', ...args]);
const nxWith = (env: NodeJS.ProcessEnv, cwd: string, ...args: string[]) =>
  must(cwd, 'npx', ['nx', ...args, '--outputStyle=static'], env);
const nx = (cwd: string, ...args: string[]) => nxWith({}, cwd, ...args);

/** Every path is ignored by git (check-ignore prints each ignored one; -q takes a single path). */
function expectIgnored(root: string, paths: string[]): void {
  const ignored = run(root, 'git', ['check-ignore', ...paths])
    .output.trim()
    .split('\n');
  expect(ignored).toEqual(paths);
}

/** provision then verify on the embedded simulator: every check PASS, none FAIL. */
function provisionAndVerify(root: string, via: 'nx' | 'make' = 'nx'): void {
  const infra = (target: string) =>
    via === 'make' ? must(root, 'make', [target]) : nx(root, 'run', `infra:${target}`);
  expect(infra('provision')).toMatch(/provision: done/);
  const verify = infra('verify');
  expect(verify).toMatch(/^PASS /m);
  expect(verify).not.toMatch(/^FAIL /m);
}

/** The Makefile's documented targets (the `## ` lines `make help` prints). */
function makeTargets(root: string): string[] {
  return [...readFileSync(join(root, 'Makefile'), 'utf-8').matchAll(/^([a-zA-Z_-]+):.*## /gm)].map(
    (m) => m[1],
  );
}

let base: string;
let tarballs: string[];

beforeAll(() => {
  tarballs = packedTarballs();
  base = mkdtempSync(join(tmpdir(), 'genesis-e2e-workspace-'));
  must(base, 'npx', ['-y', createNxWorkspace, 'apps-ws', '--preset=apps', ...cnwFlags]);
  // The second case's "existing workspace" starts as the same fresh one, before anything is installed.
  cpSync(join(base, 'apps-ws'), join(base, 'user-ws'), { recursive: true, verbatimSymlinks: true });
});
afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe('the tarballs', () => {
  /** Each package's declarations, as its packed manifest names them (main, types, exports). */
  const typed: Record<string, string[]> = {
    'genesis-repo': ['src/index.d.ts'],
    'genesis-proxmox': ['index.d.ts'],
    'genesis-pve-sim': ['index.d.ts', 'firewall.d.ts'],
    'genesis-gpu': ['index.d.ts'],
    'genesis-host-channel': ['index.d.ts'],
  };

  it('every package ships .d.ts beside its JavaScript, named by its package.json', () => {
    for (const tarball of tarballs) {
      const name = Object.keys(typed).find((n) => tarball.includes(`/${n}-`))!;
      const listing = must(base, 'tar', ['tzf', tarball]).split('\n');
      const manifest = JSON.parse(must(base, 'tar', ['xzf', tarball, '-O', 'package/package.json']));
      for (const file of typed[name])
        expect([name, listing.includes(`package/${file}`)]).toEqual([name, true]);
      expect([name, manifest.types]).toEqual([name, `./${typed[name][0]}`]);
      expect([name, listing.includes(`package/${manifest.types.slice(2)}`)]).toEqual([name, true]);
    }
  });
});

describe('create-nx-workspace --preset=apps, the tarballs, init', () => {
  let root: string;
  beforeAll(() => {
    root = join(base, 'apps-ws');
  });

  it('init makes a workspace with the engine installed, not its sources', () => {
    npmInstall(root, ['-D', ...tarballs]);
    nx(root, 'g', '@genesis/repo:init', '--skipInstall');
    npmInstall(root);
    expect(existsSync(join(root, 'libs/proxmox'))).toBe(false);
    expect(existsSync(join(root, 'node_modules/.bin/genesis'))).toBe(true);
    expect(must(root, 'node_modules/.bin/genesis', ['--version'])).toMatch(/^genesis \d+\.\d+\.\d+ /);
    const infra = JSON.parse(must(root, 'npx', ['nx', 'show', 'project', 'infra', '--json']));
    expect(infra.targets.provision.options.command).toBe(
      'node_modules/.bin/genesis provision --file infra/genesis.yaml',
    );
  });

  it("a user's TypeScript gets the packages' types (a wrong argument is a type error)", () => {
    const dir = join(root, 'genesis-types-check');
    mkdirSync(dir);
    const compilerOptions = {
      strict: true,
      module: 'node16',
      moduleResolution: 'node16',
      target: 'ES2022',
      noEmit: true,
      types: ['node'],
    };
    // The engine's packages: their own .d.ts are checked too (skipLibCheck off), so none may name a
    // module a user cannot install (the engine bundles @genesis/network, which is no package).
    writeFileSync(
      join(dir, 'engine.ts'),
      [
        "import { loadDesiredState } from '@genesis/proxmox';",
        "import { parsePciAddress } from '@genesis/gpu';",
        "import { LocalHostChannel, type HostChannel } from '@genesis/host-channel';",
        "import { TOKEN_IDS } from '@genesis/pve-sim';",
        "import { parsePortList } from '@genesis/pve-sim/firewall';",
        "const node: string = loadDesiredState('infra/genesis.yaml').node;",
        'const channel: HostChannel = new LocalHostChannel();',
        'export const all = [node, channel, parsePciAddress, TOKEN_IDS, parsePortList];',
        '// @ts-expect-error: typed, not any',
        'loadDesiredState(42);',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'tsconfig.engine.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, skipLibCheck: false }, files: ['engine.ts'] }),
    );
    // The plugin's types lead into @nx/devkit and nx, whose own declarations need skipLibCheck.
    writeFileSync(
      join(dir, 'plugin.ts'),
      [
        "import { createNodesV2 } from '@genesis/repo';",
        'export const [pattern] = createNodesV2;',
        '// @ts-expect-error: typed, not any',
        'export const wrong: number = createNodesV2[0];',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'tsconfig.plugin.json'),
      JSON.stringify({ compilerOptions: { ...compilerOptions, skipLibCheck: true }, files: ['plugin.ts'] }),
    );
    try {
      must(root, 'npx', ['tsc', '-p', 'genesis-types-check/tsconfig.engine.json']);
      must(root, 'npx', ['tsc', '-p', 'genesis-types-check/tsconfig.plugin.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every Makefile target is accepted by make, and every script or target its recipes name exists', () => {
    const targets = makeTargets(root);
    expect(targets).toEqual(
      expect.arrayContaining(['plan', 'provision', 'verify', 'compose-config', 'base-image', 'test']),
    );
    const missing: string[] = [];
    for (const target of targets) {
      const recipe = must(root, 'make', ['-n', target]);
      for (const [, script] of recipe.matchAll(/\bbash\s+([\w./-]+\.sh)\b/g)) {
        if (run(root, 'bash', ['-n', script]).status !== 0) missing.push(`make ${target}: bash ${script}`);
      }
      for (const [, project, name] of recipe.matchAll(/\bnx run ([a-z][\w-]*):([a-z][\w:-]*)/g)) {
        const shown = run(root, 'npx', ['nx', 'show', 'project', project, '--json']);
        const has =
          shown.status === 0 && name in JSON.parse(shown.output.slice(shown.output.indexOf('{'))).targets;
        if (!has) missing.push(`make ${target}: nx run ${project}:${name}`);
      }
    }
    expect(missing).toEqual([]);
    // The base image script answers (it needs root, debootstrap and dockerd to build: not here).
    expect(must(root, 'bash', ['scripts/ci/build-base-image.sh', '--help'])).toMatch(/^usage: /);
  });

  it('make help, make plan and make compose-config run (the compose project validates every variant)', () => {
    expect(must(root, 'make', ['help'])).toMatch(/make provision/);
    // No PVE API schema in a user's workspace (nor in their CI): the simulator runs, unchecked, and says how to check.
    const plan = must(root, 'make', ['plan']);
    expect(plan).toMatch(/simulator/i);
    expect(plan).toContain('requests are not checked against the Proxmox VE 9.1 API schema (none found)');
    const compose = must(root, 'make', ['compose-config']);
    for (const variant of ['dev', 'mock', 'prod'])
      expect(compose).toContain(`compose base+${variant}: valid`);
  });

  it('make provision then make verify pass on the embedded simulator', () => {
    provisionAndVerify(root, 'make');
  });

  it("with PVE_SCHEMA naming a host's schema, the simulator checks every request of a plan against it", () => {
    // What a user copies from their host's /usr/share/pve-docs/api-viewer/apidoc.js; here the same data as JSON.
    const schema = join(process.env.PVE_API_DIR ?? join(checkoutRoot, '..', 'shared', 'pve-api'), 'pve-9.1.3-apischema.json');
    const plan = nxWith({ PVE_SCHEMA: schema }, root, 'run', 'infra:plan');
    expect(plan).toMatch(/simulator/i);
    expect(plan).not.toContain('not checked against');
    const missing = run(root, 'npx', ['nx', 'run', 'infra:plan', '--outputStyle=static'], { PVE_SCHEMA: join(root, 'apidoc.js') });
    expect(missing.status).not.toBe(0);
    expect(missing.output).toContain(`no PVE 9.1 API schema at ${join(root, 'apidoc.js')}, the file PVE_SCHEMA names`);
  });

  it('every inferred infra target runs the genesis bin; render writes the host network files', () => {
    const infra = JSON.parse(must(root, 'npx', ['nx', 'show', 'project', 'infra', '--json']));
    // The plugin's targets (infra/project.json may declare others of its own, e.g. prometheus-config).
    const inferred = Object.entries<{ options: { command: string }; metadata?: { technologies?: string[] } }>(
      infra.targets,
    ).filter(([name]) =>
      ['plan', 'provision', 'verify', 'render', 'rehearse', 'storage', 'bridges', 'vms'].includes(name),
    );
    expect(inferred).toHaveLength(8);
    for (const [name, target] of inferred) {
      expect([name, target.options.command.startsWith('node_modules/.bin/genesis ')]).toEqual([name, true]);
    }
    expect(nx(root, 'run', 'infra:render')).toMatch(/wrote .*interfaces/);
    expect(existsSync(join(root, 'dist/infra/pve/interfaces'))).toBe(true);
    expect(existsSync(join(root, 'dist/infra/pve/genesis.nft'))).toBe(true);
  });

  it("npm test (the README's lint, test, build) and the CI typecheck pass on the first try", () => {
    must(root, 'npm', ['test']);
    nx(root, 'run-many', '-t', 'typecheck');
  });

  it("the simulator's state and the secrets are ignored by git", () => {
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'genesis');
    expect(git(root, 'status', '--porcelain')).toBe('');
    expect(existsSync(join(root, '.genesis/sim'))).toBe(true);
    expectIgnored(root, ['infra/compose/.env', '.genesis/sim/state.json']);
  });

  it("the CI workflow's `nx affected` runs the targets of what a commit touched, and only those", () => {
    // What .github/workflows/ci.yaml runs after nrwl/nx-set-shas, which exports NX_BASE and NX_HEAD.
    const app = join(root, 'apps/banker/src/app.ts');
    writeFileSync(app, `${readFileSync(app, 'utf-8')}// touched by the e2e\n`);
    git(root, 'commit', '-q', '-am', 'banker: touched');
    const shas = { NX_BASE: 'HEAD~1', NX_HEAD: 'HEAD' };
    const affected = must(root, 'npx', ['nx', 'show', 'projects', '--affected', '--json'], shas);
    const projects: string[] = JSON.parse(affected.slice(affected.indexOf('[')));
    expect(projects).toContain('banker');
    expect(projects).not.toEqual(expect.arrayContaining(['core']));
    expect(projects).not.toEqual(expect.arrayContaining(['exporters']));
    // eslint-disable-next-line no-control-regex
    const ran = nxWith(shas, root, 'affected', '-t', 'lint', 'typecheck', 'test', 'build').replace(/\x1b\[[0-9;]*m/g, '');
    expect(ran).toMatch(/Successfully ran targets lint, typecheck, test, build for project banker/);
    expect(ran).toContain('nx run banker:test');
    expect(git(root, 'status', '--porcelain')).toBe('');
  });

  it("the build-images workflow's query lists the services", () => {
    const shown = must(root, 'npx', ['nx', 'show', 'projects', '--with-target', 'docker:build', '--json']);
    expect(JSON.parse(shown.slice(shown.indexOf('[')))).toEqual(
      expect.arrayContaining(['core', 'banker', 'exporters']),
    );
  });
});

describe('init in a workspace the user already has', () => {
  let root: string;
  const userFiles: Record<string, string> = {
    Makefile: 'build:\n\tnpm run build\n',
    '.github/workflows/ci.yaml': 'name: my ci\non: push\njobs: {}\n',
    'jest.preset.js': "module.exports = require('@nx/jest/preset').default;\n",
    '.gitignore': '# mine\n/node_modules\n*.local\n',
    'libs/core/project.json': '{ "name": "core", "projectType": "library", "sourceRoot": "libs/core/src" }\n',
    'libs/core/src/index.ts': 'export const mine = 1;\n',
  };
  beforeAll(() => {
    root = join(base, 'user-ws');
    for (const [path, content] of Object.entries(userFiles)) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    npmInstall(root, ['-D', ...tarballs]);
    git(root, 'init', '-q');
    git(root, 'add', '-A');
    git(root, 'commit', '-q', '-m', 'mine');
  });

  it('refuses the library named core, with the reason, and writes nothing', () => {
    const before = listFiles(root);
    const result = run(root, 'npx', ['nx', 'g', '@genesis/repo:init', '--skipInstall']);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(
      /"core" is your library at libs\/core, but init registers a service named "core"/,
    );
    expect(listFiles(root)).toEqual(before);
  });

  it("once core is renamed, keeps the user's files, writes Genesis's beside them, ignores the secrets", () => {
    // The user follows the message: their library moves out of the way (here by hand: name and folder).
    renameSync(join(root, 'libs/core'), join(root, 'libs/core-utils'));
    writeFileSync(
      join(root, 'libs/core-utils/project.json'),
      '{ "name": "core-utils", "projectType": "library", "sourceRoot": "libs/core-utils/src" }\n',
    );
    const output = nx(root, 'g', '@genesis/repo:init', '--skipInstall');
    npmInstall(root);
    expect(output).toContain('Makefile is yours');
    for (const [path, content] of Object.entries(userFiles)) {
      const now = path.replace('libs/core/', 'libs/core-utils/');
      if (path === '.gitignore' || path === 'libs/core/project.json') continue;
      expect([now, readFileSync(join(root, now), 'utf-8')]).toEqual([now, content]);
    }
    expect(readFileSync(join(root, '.gitignore'), 'utf-8').startsWith(userFiles['.gitignore'])).toBe(true);
    for (const beside of [
      'Makefile.genesis',
      '.github/workflows/ci.yaml.genesis',
      'jest.preset.genesis.js',
    ]) {
      expect([beside, existsSync(join(root, beside))]).toEqual([beside, true]);
    }
    expectIgnored(root, ['infra/compose/.env', '.genesis/', '.genesis/sim/state.json']);
  });

  it('provision, verify, and the generated projects’ lint, test and build pass there too', () => {
    provisionAndVerify(root);
    nx(root, 'run-many', '-t', 'lint', 'test', 'build', '-p', 'core', 'banker', 'exporters');
  });
});

describe('create-nx-workspace hive --preset=<the plugin tarball>', () => {
  it('makes the same workspace, with the engine from the tarballs beside the plugin', () => {
    // create-nx-workspace takes a package name, optionally @version: the tarball is the version,
    // as a file: spec (an absolute path; npm installs it in the new workspace's folder).
    must(base, 'npx', [
      '-y',
      createNxWorkspace,
      'hive',
      `--preset=@genesis/repo@file:${tarballs[0]}`,
      ...cnwFlags,
    ]);
    const root = join(base, 'hive');
    for (const path of [
      'infra/genesis.yaml',
      'apps/core/Dockerfile',
      'Makefile',
      'node_modules/.bin/genesis',
    ]) {
      expect([path, existsSync(join(root, path))]).toEqual([path, true]);
    }
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf-8'));
    const specs = { ...manifest.dependencies, ...manifest.devDependencies };
    expect(specs['@genesis/proxmox']).toBe(`file:${tarballs[1]}`);
    expect(nx(root, 'run', 'infra:plan')).toMatch(/simulator/i);
  });
});
