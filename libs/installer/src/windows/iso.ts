/**
 * The small answer ISO for Template-Win10-Trading: autounattend.xml at the root (Windows Setup
 * searches removable and CD media for it), the debloat script and, when given, the cloudbase-init
 * MSI under genesis/. Built with `xorriso -as mkisofs` (Joliet + Rock Ridge), uploaded through the
 * PVE API as an ISO volume.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ANSWER_MEDIA_DIR, CLOUDBASE_MSI, DEBLOAT_SCRIPT, renderAutounattend } from './autounattend';
import type { WindowsConfig } from './config';
import { renderDebloatScript } from './debloat';

export const ANSWER_ISO_LABEL = 'GENESIS_UNATTEND';

export interface AnswerIsoOptions {
  /** Where to write the ISO. */
  output: string;
  /** A downloaded CloudbaseInitSetup_x64.msi to put on the media (FirstLogonCommands installs it). */
  cloudbaseMsi?: string;
}

export function buildAnswerIso(config: WindowsConfig, options: AnswerIsoOptions): string[] {
  const stage = mkdtempSync(join(tmpdir(), 'genesis-win-iso-'));
  try {
    mkdirSync(join(stage, ANSWER_MEDIA_DIR));
    writeFileSync(join(stage, 'autounattend.xml'), renderAutounattend(config), { mode: 0o600 });
    // Windows PowerShell 5.1 reads BOM-less files as ANSI; CRLF and a BOM keep it UTF-8 and native.
    writeFileSync(join(stage, ANSWER_MEDIA_DIR, DEBLOAT_SCRIPT), `\ufeff${renderDebloatScript(config).replace(/\n/g, '\r\n')}`);
    const files = ['autounattend.xml', `${ANSWER_MEDIA_DIR}/${DEBLOAT_SCRIPT}`];
    if (options.cloudbaseMsi) {
      copyFileSync(options.cloudbaseMsi, join(stage, ANSWER_MEDIA_DIR, CLOUDBASE_MSI));
      files.push(`${ANSWER_MEDIA_DIR}/${CLOUDBASE_MSI}`);
    }
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', ANSWER_ISO_LABEL, '-J', '-joliet-long', '-r', '-o', options.output, stage], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return files;
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
