/**
 * Windows 10 LTSC unattended media: autounattend.xml well-formed (fast-xml-parser's XMLValidator;
 * xmllint is not installed here) with the expected components per pass; the debloat script passes
 * the documented structural check (PowerShell cannot be installed here: see ps-structure.ts); the
 * ISO is built with the real xorriso and read back.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { renderAutounattend, unattendPassword } from './autounattend';
import { windowsConfigSchema } from './config';
import { renderDebloatScript } from './debloat';
import { ANSWER_ISO_LABEL, buildAnswerIso } from './iso';
import { checkPowerShellStructure } from './ps-structure';

const PASSWORD = 'Tr@der-Pass-2026';
const config = windowsConfigSchema.parse({ password: PASSWORD, productKey: 'M7XTQ-FN8P6-TTKYV-9D4CC-J462D' });

type Xml = Record<string, unknown>;
const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function passes(xml: string): Record<string, Record<string, Xml>> {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false }).parse(xml) as { unattend: { settings: Xml[] } };
  return Object.fromEntries(
    asArray(doc.unattend.settings).map((s) => [s['@pass'] as string, Object.fromEntries(asArray(s.component as Xml[]).map((c) => [c['@name'] as string, c]))]),
  );
}

describe('autounattend.xml', () => {
  const xml = renderAutounattend(config);

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(XMLValidator.validate(xml.replace('</unattend>', ''))).not.toBe(true); // the validator does refuse broken XML
  });

  it('has the expected components in each pass', () => {
    const p = passes(xml);
    expect(Object.keys(p)).toEqual(['windowsPE', 'specialize', 'oobeSystem']);
    expect(Object.keys(p.windowsPE)).toEqual(['Microsoft-Windows-International-Core-WinPE', 'Microsoft-Windows-PnpCustomizationsWinPE', 'Microsoft-Windows-Setup']);
    expect(Object.keys(p.specialize)).toEqual(['Microsoft-Windows-Shell-Setup', 'Microsoft-Windows-SQMApi', 'Microsoft-Windows-Security-SPP-UX']);
    expect(Object.keys(p.oobeSystem)).toEqual(['Microsoft-Windows-International-Core', 'Microsoft-Windows-Shell-Setup']);
    for (const pass of Object.values(p)) for (const c of Object.values(pass)) expect(c['@processorArchitecture']).toBe('amd64');
  });

  it('windowsPE: VirtIO storage and network drivers for w10/amd64, UEFI/GPT layout, the LTSC image and key', () => {
    const pe = passes(xml).windowsPE;
    const paths = asArray((pe['Microsoft-Windows-PnpCustomizationsWinPE'].DriverPaths as Xml).PathAndCredentials as Xml[]).map((x) => x.Path);
    for (const driver of ['vioscsi', 'viostor', 'NetKVM']) expect(paths).toContain(`E:\\${driver}\\w10\\amd64`);
    const setup = pe['Microsoft-Windows-Setup'] as { DiskConfiguration: { Disk: { CreatePartitions: { CreatePartition: Xml[] } } }; ImageInstall: Xml; UserData: Xml };
    expect(setup.DiskConfiguration.Disk.CreatePartitions.CreatePartition.map((x) => x.Type)).toEqual(['EFI', 'MSR', 'Primary']);
    expect(xml).toContain('<Value>Windows 10 Enterprise LTSC 2021</Value>');
    expect(setup.UserData).toMatchObject({ AcceptEula: 'true', ProductKey: { Key: 'M7XTQ-FN8P6-TTKYV-9D4CC-J462D' } });
    expect(renderAutounattend(windowsConfigSchema.parse({ password: PASSWORD }))).not.toContain('<ProductKey>');
  });

  it('oobeSystem: a local account, OOBE and privacy screens hidden, first-logon debloat, guest agent, cloudbase-init; no plain-text password', () => {
    const shell = passes(xml).oobeSystem['Microsoft-Windows-Shell-Setup'] as { OOBE: Xml; UserAccounts: Xml; FirstLogonCommands: { SynchronousCommand: Xml[] } };
    expect(shell.OOBE).toMatchObject({ HideEULAPage: 'true', HideOnlineAccountScreens: 'true', HideWirelessSetupInOOBE: 'true', ProtectYourPC: '3' });
    expect(xml).toContain('<Name>trader</Name>');
    expect(xml).not.toContain(PASSWORD);
    expect(xml).toContain(`<Value>${unattendPassword(PASSWORD)}</Value>`);
    expect(Buffer.from(unattendPassword(PASSWORD), 'base64').toString('utf16le')).toBe(`${PASSWORD}Password`);
    const lines = shell.FirstLogonCommands.SynchronousCommand.map((c) => c.CommandLine as string);
    expect(lines[0]).toContain('genesis\\debloat.ps1');
    expect(lines.some((l) => l.includes('guest-agent\\qemu-ga-x86_64.msi'))).toBe(true);
    expect(lines.some((l) => l.includes('CloudbaseInitSetup_x64.msi'))).toBe(true);
    expect(passes(xml).specialize['Microsoft-Windows-SQMApi']).toMatchObject({ CEIPEnabled: '0' });
  });

  it('refuses a short password and a bad computer name', () => {
    expect(() => windowsConfigSchema.parse({ password: 'short' })).toThrow(/shorter than 8/);
    expect(() => windowsConfigSchema.parse({ password: PASSWORD, computerName: 'this-name-is-far-too-long' })).toThrow(/NetBIOS/);
  });
});

describe('debloat.ps1 (structural check; PowerShell is not installable here)', () => {
  const script = renderDebloatScript(config);

  it('balances, uses approved verbs and only allow-listed cmdlets', () => {
    expect(checkPowerShellStructure(script).problems).toEqual([]);
  });

  it('covers every listed app, task and service, idempotently, with a log line for each outcome', () => {
    for (const app of config.removeAppx) expect(script).toContain(`'${app}'`);
    for (const task of config.disableTasks) expect(script).toContain(`'${task}'`);
    for (const service of config.disableServices) expect(script).toContain(`'${service}'`);
    expect(script).toMatch(/already absent/);
    expect(script).toMatch(/already disabled/);
    expect(script).toMatch(/Add-Content -Path \$LogPath/);
  });

  it('the check catches what PowerShell would refuse', () => {
    expect(checkPowerShellStructure('function Do-Thing { Write-Output "x" ').problems).toEqual([
      'line 1: \'{\' is never closed',
      'function Do-Thing: "Do" is not an approved verb (Get-Verb)',
    ]);
    expect(checkPowerShellStructure("Invoke-WebRequest -Uri 'https://x' | Out-Null").problems).toEqual(['Invoke-WebRequest: not on the cmdlet allow-list']);
    expect(checkPowerShellStructure('Write-Output "svc $Name: gone"').problems[0]).toMatch(/drive-qualified variable; write \$\{Name\}:/);
    expect(checkPowerShellStructure("Write-Output '{ not code' # }").problems).toEqual([]);
  });
});

describe('answer ISO (real xorriso)', () => {
  it('holds autounattend.xml, the script and the cloudbase MSI, and reads back identical', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genesis-iso-'));
    try {
      const msi = join(dir, 'CloudbaseInitSetup_x64.msi');
      writeFileSync(msi, 'stand-in MSI bytes');
      const iso = join(dir, 'genesis-win10.iso');
      expect(buildAnswerIso(config, { output: iso, cloudbaseMsi: msi })).toEqual(['autounattend.xml', 'genesis/debloat.ps1', 'genesis/CloudbaseInitSetup_x64.msi']);
      const listing = execFileSync('xorriso', ['-indev', iso, '-pvd_info', '-ls', '/', '/genesis'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(listing).toContain("'autounattend.xml'");
      expect(listing).toContain("'debloat.ps1'");
      expect(listing).toContain("'CloudbaseInitSetup_x64.msi'");
      const pvd = execFileSync('xorriso', ['-indev', iso, '-pvd_info'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      expect(pvd).toContain(ANSWER_ISO_LABEL);
      const out = join(dir, 'out');
      execFileSync('xorriso', ['-osirrox', 'on', '-indev', iso, '-extract', '/', out], { stdio: 'ignore' });
      expect(readFileSync(join(out, 'autounattend.xml'), 'utf8')).toBe(renderAutounattend(config));
      const ps = readFileSync(join(out, 'genesis/debloat.ps1'), 'utf8');
      expect(ps.startsWith('\ufeff')).toBe(true);
      expect(ps.slice(1).replace(/\r\n/g, '\n')).toBe(renderDebloatScript(config));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
