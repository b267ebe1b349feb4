/**
 * genesis answer: the host's install answer file.
 *   node -r @swc-node/register libs/installer/src/cli/main.ts answer --file infra/genesis.yaml [--out dist/infra]
 *   node -r @swc-node/register libs/installer/src/cli/main.ts answer --check FILE [--env DIR]
 *   node -r @swc-node/register libs/installer/src/cli/main.ts windows-iso [--out dist/infra/genesis-win10.iso] [--cloudbase-msi FILE]
 *     (GENESIS_WIN_PASSWORD: the local account's password; never printed)
 * --env DIR: the installer's machine description (run-env-info.json, run-env-udev.json,
 * locales.json, iso-info.json) for the checks that depend on the target machine.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DesiredStateError, loadDesiredState } from '@genesis/proxmox';
import { checkAnswer } from '../answer/check';
import { loadEnvironment } from '../answer/environment';
import { InstallerConfigError, renderInstall } from '../answer/render';
import { windowsConfigSchema } from '../windows/config';
import { buildAnswerIso } from '../windows/iso';

const USAGE = 'usage: main.ts answer --file infra/genesis.yaml [--out dist/infra] | answer --check FILE [--env DIR]\n';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const stdio: Io = { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) };

function windowsIso(args: string[], io: Io): number {
  const parsed = windowsConfigSchema.safeParse({ password: process.env.GENESIS_WIN_PASSWORD ?? '' });
  if (!parsed.success) {
    io.err('GENESIS_WIN_PASSWORD: set the local account password (8 characters or more) for the unattended install\n');
    return 1;
  }
  const output = resolve(option(args, '--out') ?? 'dist/infra/genesis-win10.iso');
  mkdirSync(resolve(output, '..'), { recursive: true });
  const files = buildAnswerIso(parsed.data, { output, cloudbaseMsi: option(args, '--cloudbase-msi') });
  io.out(`wrote ${output}: ${files.join(', ')}\n`);
  return 0;
}

export function main(argv: string[], io: Io = stdio): number {
  const [command, ...args] = argv;
  if (command === 'windows-iso') return windowsIso(args, io);
  if (command !== 'answer') {
    io.err(USAGE);
    return 2;
  }
  const check = option(args, '--check');
  if (args.includes('--check')) {
    if (!check) {
      io.err(USAGE);
      return 2;
    }
    let text: string;
    try {
      text = readFileSync(check, 'utf8');
    } catch (e) {
      io.err(`${check}: cannot read the file (${(e as Error).message})\n`);
      return 1;
    }
    const envDir = option(args, '--env');
    const result = checkAnswer(text, envDir ? loadEnvironment(envDir, check) : undefined);
    if (!result.ok) {
      io.err(`${check}: refused by the installer's rules: ${result.message}\n`);
      return 1;
    }
    io.out(`${check}: accepted${result.disks ? ` (root disks: ${result.disks.join(', ')})` : ''}\n`);
    if (result.skipped.length) io.out(`not checked without --env DIR: ${result.skipped.join('; ')}\n`);
    return 0;
  }
  try {
    const rendered = renderInstall(loadDesiredState(option(args, '--file') ?? 'infra/genesis.yaml'));
    const out = resolve(option(args, '--out') ?? 'dist/infra');
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'answer.toml'), rendered.answerToml, { mode: 0o600 });
    writeFileSync(join(out, 'first-boot.sh'), rendered.firstBootScript, { mode: 0o755 });
    io.out(`wrote ${join(out, 'answer.toml')}\nwrote ${join(out, 'first-boot.sh')}\n`);
    return 0;
  } catch (e) {
    if (e instanceof DesiredStateError || e instanceof InstallerConfigError) {
      io.err(`${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  try {
    process.exit(main(process.argv.slice(2)));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
}
