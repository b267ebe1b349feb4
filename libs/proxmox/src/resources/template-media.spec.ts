import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { answerProblem, buildAnswerMedia, renderSnippet, snippetProblem } from './template-media';
import { genesisState, TEST_ENV } from '../testing/desired-state';

const state = genesisState();
const win = state.templates.find((t) => t.install)!;

describe('template media', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'genesis-media-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('builds the answer ISO with xorriso: autounattend.xml at the root, debloat.ps1 and the cloudbase-init MSI under genesis/', () => {
    writeFileSync(join(dir, 'CloudbaseInitSetup_x64.msi'), 'MSI-BYTES-FOR-THE-TEST');
    const withMsi = { ...win, install: { ...win.install!, cloudbaseMsi: 'CloudbaseInitSetup_x64.msi' } };
    const iso = buildAnswerMedia(withMsi, { ...state, source: { ...state.source, dir } });
    expect(iso.subarray(0x8001, 0x8006).toString('latin1')).toBe('CD001');
    const file = join(dir, 'a.iso');
    writeFileSync(file, iso);
    const listing = execFileSync('xorriso', ['-indev', file, '-find', '/', '-type', 'f'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    expect(listing.split('\n').filter(Boolean).sort()).toEqual(["'/autounattend.xml'", "'/genesis/CloudbaseInitSetup_x64.msi'", "'/genesis/debloat.ps1'"]);
    // The password is in unattend's encoded form only.
    expect(iso.toString('latin1')).not.toContain(TEST_ENV.GENESIS_WIN_PASSWORD);
  });

  it('renders the snippet with the keys; a missing key or password is a problem that never quotes the password', () => {
    expect(renderSnippet(state.templates[0], state)).toContain(`- ${TEST_ENV.GENESIS_SSH_KEY}`);
    expect(snippetProblem(state.templates[0], state, 0)).toBeUndefined();
    const short = { ...win, install: { ...win.install!, unattend: { ...win.install!.unattend, password: 'hunter2' } } };
    const problem = answerProblem(short, state, 1);
    expect(problem).toMatch(/templates\[1\]\.install\.unattend\.password: is shorter than 8 characters; export GENESIS_WIN_PASSWORD=/);
    expect(problem).not.toContain('hunter2');
  });
});
