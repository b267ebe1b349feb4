// Times `nx g @genesis/repo:init` against `nx g @nx/js:library` in the same kind of empty Nx
// workspace (package.json + nx.json, nx, @nx/js and the plugin from the checkout installed), several
// runs each, alternating, and prints the medians and their ratio.
//   node -r @swc-node/register bench/generators/run.ts [runs]      (npx nx run bench:generators)
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { checkoutRoot, createEmptyNxWorkspace, must, npmInstall } from '@genesis/repo/e2e/workspace';
import { nxVersion } from '@genesis/repo/src/utils/versions';

const runs = Number(process.argv[2] ?? 5);

const candidates = {
  '@genesis/repo:init': ['g', '@genesis/repo:init', '--skipInstall', '--no-interactive'],
  '@nx/js:library': [
    'g',
    '@nx/js:library',
    'libs/bench-lib',
    '--bundler=tsc',
    '--linter=eslint',
    '--unitTestRunner=jest',
    '--no-interactive',
  ],
} as const;
type Candidate = keyof typeof candidates;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function timeGenerator(root: string, args: readonly string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [join(root, 'node_modules/nx/dist/bin/nx.js'), ...args], {
    cwd: root,
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false' },
    encoding: 'utf-8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`nx ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return seconds;
}

/** Back to the empty workspace (the temp dir's own git repo; node_modules stays). */
function reset(root: string): void {
  must(root, 'git', ['checkout', '-q', '--', '.']);
  must(root, 'git', ['clean', '-qfdx', '-e', 'node_modules']);
}

function main(): void {
  must(checkoutRoot, 'npx', ['nx', 'run', 'generators:build', '--outputStyle=static']);
  const workspace = createEmptyNxWorkspace('genesis-bench-');
  try {
    const root = workspace.root;
    // What @nx/js:library needs for eslint + jest, so it does not install anything mid-run.
    npmInstall(root, [`@nx/js@${nxVersion}`, `@nx/jest@${nxVersion}`, `@nx/eslint@${nxVersion}`]);
    const git = ['-c', 'user.name=bench', '-c', 'user.email=bench@localhost'];
    must(root, 'git', ['init', '-q']);
    must(root, 'git', [...git, 'add', 'nx.json']);
    must(root, 'git', [...git, 'commit', '-q', '-m', 'empty workspace']);
    // @nx/js:library has no --skipInstall: its callback runs `npm install` whenever it changed
    // package.json. One run up front installs what it adds; with those dependencies already in
    // package.json the timed runs install nothing, like init with --skipInstall.
    timeGenerator(root, candidates['@nx/js:library']);
    must(root, 'git', [...git, 'add', 'package.json', 'package-lock.json']);
    must(root, 'git', [...git, 'commit', '-q', '-m', 'dependencies of @nx/js:library']);
    reset(root);

    const seconds: Record<Candidate, number[]> = { '@genesis/repo:init': [], '@nx/js:library': [] };
    for (const name of Object.keys(candidates) as Candidate[]) {
      timeGenerator(root, candidates[name]); // warm-up
      reset(root);
    }
    for (let i = 0; i < runs; i++) {
      for (const name of Object.keys(candidates) as Candidate[]) {
        seconds[name].push(timeGenerator(root, candidates[name]));
        reset(root);
      }
    }
    const init = median(seconds['@genesis/repo:init']);
    const library = median(seconds['@nx/js:library']);
    console.log(
      `generators bench: ${runs} runs each, same empty Nx ${nxVersion} workspace, median wall time`,
    );
    for (const name of Object.keys(candidates) as Candidate[]) {
      const all = seconds[name].map((s) => s.toFixed(2)).join(' ');
      console.log(`  nx g ${name.padEnd(20)} median ${median(seconds[name]).toFixed(2)} s   (${all})`);
    }
    console.log(`  ratio init / library: ${(init / library).toFixed(2)}`);
  } finally {
    workspace.remove();
  }
}

main();
