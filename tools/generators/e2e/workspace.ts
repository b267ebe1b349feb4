// A brand-new Nx workspace in a temp dir with the Genesis packages installed from the checkout's
// dist/packages/ (what `npx nx run-many -t pack` writes), as a user installs them.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { enginePackages, pluginPackage, tarballName } from '../src/generators/init/lib/engine-packages';
import { nxVersion } from '../src/utils/versions';

export const checkoutRoot = resolve(__dirname, '..', '..', '..');
export const packagesDir = join(checkoutRoot, 'dist', 'packages');
/** One npm cache for every e2e run (npm and npx), so a second run reads the registry only for what changed. */
export const npmCache = join(homedir(), '.cache', 'genesis', 'npm');

export interface Run {
  status: number | null;
  output: string;
}

/**
 * The user's environment: this checkout's PVE API schema is not theirs (a user's CI has neither
 * variable; the embedded simulator must work without them), nor is its Nx cache; Nx's daemon,
 * cloud and colours off.
 */
const {
  PVE_API_DIR: _apiDir,
  PVE_SCHEMA: _schema,
  NX_CACHE_DIRECTORY: _cache,
  NX_WORKSPACE_DATA_DIRECTORY: _data,
  ...userEnv
} = process.env;
const quietEnv = {
  ...userEnv,
  NX_DAEMON: 'false',
  NX_NO_CLOUD: 'true',
  NX_SKIP_NX_CACHE: 'true',
  NX_TUI: 'false',
  NO_COLOR: '1',
  FORCE_COLOR: '0',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
  npm_config_update_notifier: 'false',
  npm_config_cache: npmCache,
};

export function run(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(command, args, {
    cwd,
    env: { ...quietEnv, ...env },
    encoding: 'utf-8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

/** Runs and throws with the output when the command fails. */
export function must(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const result = run(cwd, command, args, env);
  if (result.status !== 0) {
    throw new Error(
      `\`${command} ${args.join(' ')}\` in ${cwd} exited ${result.status}:\n${result.output.slice(-6000)}`,
    );
  }
  return result.output;
}

/** npm install that reuses the local npm cache (the registry is only asked for what is missing). */
export function npmInstall(cwd: string, packages: string[] = []): string {
  return must(cwd, 'npm', [
    'install',
    '--prefer-offline',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...packages,
  ]);
}

/**
 * The tarballs a user installs, plugin first, at the plugin's version (the packages are versioned
 * together): dist/packages/genesis-repo-<version>.tgz and the engine's beside it.
 */
export function packedTarballs(): string[] {
  const version = JSON.parse(
    readFileSync(join(checkoutRoot, 'tools/generators/package.json'), 'utf-8'),
  ).version;
  const tarballs = [pluginPackage, ...enginePackages].map((name) =>
    join(packagesDir, tarballName(name, version)),
  );
  const missing = tarballs.filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} missing: run \`npx nx run-many -t pack\` (the e2e targets depend on it)`,
    );
  }
  return tarballs;
}

export interface EmptyWorkspace {
  root: string;
  remove: () => void;
}

/** package.json + nx.json, nx and the packed plugin and engine installed. */
export function createEmptyNxWorkspace(prefix = 'genesis-e2e-'): EmptyWorkspace {
  const base = mkdtempSync(join(tmpdir(), prefix));
  const root = join(base, 'workspace');
  mkdirSync(root);
  writeFileSync(
    join(root, 'package.json'),
    JSON.stringify({ name: 'fresh', version: '0.0.0', private: true }, null, 2),
  );
  writeFileSync(join(root, 'nx.json'), '{}\n');
  npmInstall(root, ['-D', `nx@${nxVersion}`, ...packedTarballs()]);
  return { root, remove: () => rmSync(base, { recursive: true, force: true }) };
}

/** Every path under `dir` except node_modules, .git and .nx (to prove a failed run wrote nothing). */
export function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix), { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', '.git', '.nx'].includes(entry.name)) return [];
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(dir, path) : [path];
  });
}
