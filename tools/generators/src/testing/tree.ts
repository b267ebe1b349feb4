// Test helpers: an empty Nx workspace in memory and a snapshot of every file in a tree.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import type { Tree } from '@nx/devkit';
import { initGenerator } from '../generators/init/generator';

export function emptyWorkspace(): Tree {
  return createTreeWithEmptyWorkspace();
}

/** path → content (utf-8) of every file in the tree; compare two to prove a run changed nothing. */
export function snapshotTree(tree: Tree, dir = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const child of tree.children(dir)) {
    const path = dir ? `${dir}/${child}` : child;
    if (child === 'node_modules' || child === '.git' || child === '.nx') continue;
    if (tree.isFile(path)) files.set(path, tree.read(path, 'utf-8') ?? '');
    else for (const [p, c] of snapshotTree(tree, path)) files.set(p, c);
  }
  return files;
}

/** The paths whose content differs between two snapshots (added, removed or changed). */
export function changedPaths(before: Map<string, string>, after: Map<string, string>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => before.get(p) !== after.get(p)).sort();
}

/** An empty workspace that has been through `init` (no formatting, no install). */
export async function initializedWorkspace(): Promise<Tree> {
  const tree = emptyWorkspace();
  await initGenerator(tree, { skipFormat: true, skipInstall: true });
  return tree;
}

/** Writes every file of the tree under `dir` (for checks by real tools: docker-compose, promtool). */
export function writeTreeTo(tree: Tree, dir: string, paths: string[]): void {
  for (const file of paths) {
    const target = join(dir, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, tree.read(file) ?? '');
  }
}

/** A fresh temp directory, removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Whether an executable is on PATH (real-tool checks skip, with a message, outside CI). */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** `it` when the tool exists or CI=true (then it must run), otherwise a skipped test that says why. */
export function itWithTool(command: string): jest.It {
  if (hasCommand(command) || process.env.CI === 'true') return it;
  console.warn(
    `${command} is not installed: skipping its checks (run scripts/setup/install-dependencies.sh)`,
  );
  return it.skip;
}

/** A generated CommonJS config (jest.config.cjs) evaluated to its exported object. */
export function readCommonJsConfig(tree: Tree, path: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', tree.read(path, 'utf-8') ?? '')(
    module,
    module.exports,
    require,
  );
  return module.exports;
}
