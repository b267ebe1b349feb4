/**
 * autounattend.xml for Windows 10 LTSC on Template-Win10-Trading (UEFI/GPT, VirtIO), answering
 * every pass Setup runs: windowsPE (VirtIO storage and network drivers, disk layout, image,
 * EULA/key), specialize (name, timezone, no CEIP), oobeSystem (locale, a local account, every OOBE
 * and privacy screen hidden, one auto-logon that runs the first-logon commands: debloat,
 * qemu-guest-agent, cloudbase-init). Passwords are written in unattend's base64 form, never as
 * plain text.
 */
import type { WindowsConfig } from './config';

export const ANSWER_MEDIA_DIR = 'genesis';
export const DEBLOAT_SCRIPT = 'debloat.ps1';
export const CLOUDBASE_MSI = 'CloudbaseInitSetup_x64.msi';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Unattend's "hidden" password form: base64(UTF-16LE(password + element name)). */
export function unattendPassword(password: string, element = 'Password'): string {
  return Buffer.from(password + element, 'utf16le').toString('base64');
}

function component(name: string, body: string): string {
  return (
    `    <component name="${name}" processorArchitecture="amd64" publicKeyToken="31bf3856ad364e35" language="neutral" versionScope="nonSxS">\n` +
    `${body}\n    </component>`
  );
}

function settings(pass: string, components: string[]): string {
  return `  <settings pass="${pass}">\n${components.join('\n')}\n  </settings>`;
}

/** Runs CMD on whichever CD drive carries MARKER (the drive letters differ between VMs). */
function onMedia(marker: string, command: string): string {
  return `cmd /c for %d in (D E F G H I) do @if exist %d:\\${marker} ${command}`;
}

export function renderAutounattend(c: WindowsConfig): string {
  const pathAndCredentials = c.drivers
    .flatMap((driver) => c.driverLetters.map((letter) => `${letter}:\\${driver}\\w10\\amd64`))
    .map(
      (path, i) =>
        `        <PathAndCredentials wcm:action="add" wcm:keyValue="${i + 1}">\n          <Path>${esc(path)}</Path>\n        </PathAndCredentials>`,
    )
    .join('\n');

  const intl = (winPE: boolean) =>
    [
      winPE ? `      <SetupUILanguage>\n        <UILanguage>${esc(c.locale)}</UILanguage>\n      </SetupUILanguage>` : '',
      `      <InputLocale>${esc(c.inputLocale)}</InputLocale>`,
      `      <SystemLocale>${esc(c.locale)}</SystemLocale>`,
      `      <UILanguage>${esc(c.locale)}</UILanguage>`,
      `      <UserLocale>${esc(c.locale)}</UserLocale>`,
    ]
      .filter(Boolean)
      .join('\n');

  const partition = (order: number, type: string, size?: number) =>
    `            <CreatePartition wcm:action="add">\n              <Order>${order}</Order>\n              <Type>${type}</Type>\n` +
    (size ? `              <Size>${size}</Size>\n` : '              <Extend>true</Extend>\n') +
    '            </CreatePartition>';
  const modify = (order: number, format: string | undefined, label: string | undefined, letter?: string) =>
    `            <ModifyPartition wcm:action="add">\n              <Order>${order}</Order>\n              <PartitionID>${order}</PartitionID>\n` +
    (format ? `              <Format>${format}</Format>\n` : '') +
    (label ? `              <Label>${label}</Label>\n` : '') +
    (letter ? `              <Letter>${letter}</Letter>\n` : '') +
    '            </ModifyPartition>';

  const setup = [
    '      <DiskConfiguration>',
    '        <Disk wcm:action="add">',
    '          <DiskID>0</DiskID>',
    '          <WillWipeDisk>true</WillWipeDisk>',
    '          <CreatePartitions>',
    partition(1, 'EFI', 100),
    partition(2, 'MSR', 16),
    partition(3, 'Primary'),
    '          </CreatePartitions>',
    '          <ModifyPartitions>',
    modify(1, 'FAT32', 'System'),
    modify(2, undefined, undefined),
    modify(3, 'NTFS', 'Windows', 'C'),
    '          </ModifyPartitions>',
    '        </Disk>',
    '      </DiskConfiguration>',
    '      <ImageInstall>',
    '        <OSImage>',
    '          <InstallFrom>',
    '            <MetaData wcm:action="add">',
    '              <Key>/IMAGE/NAME</Key>',
    `              <Value>${esc(c.imageName)}</Value>`,
    '            </MetaData>',
    '          </InstallFrom>',
    '          <InstallTo>',
    '            <DiskID>0</DiskID>',
    '            <PartitionID>3</PartitionID>',
    '          </InstallTo>',
    '        </OSImage>',
    '      </ImageInstall>',
    '      <UserData>',
    '        <AcceptEula>true</AcceptEula>',
    c.productKey ? `        <ProductKey>\n          <Key>${esc(c.productKey)}</Key>\n          <WillShowUI>Never</WillShowUI>\n        </ProductKey>` : '',
    '      </UserData>',
  ]
    .filter(Boolean)
    .join('\n');

  const logDir = 'C:\\Windows\\Temp';
  const commands = [
    ['Debloat: consumer apps, telemetry tasks and services', onMedia(`${ANSWER_MEDIA_DIR}\\${DEBLOAT_SCRIPT}`, `powershell -NoProfile -ExecutionPolicy Bypass -File %d:\\${ANSWER_MEDIA_DIR}\\${DEBLOAT_SCRIPT} -LogPath ${logDir}\\genesis-debloat.log`)],
    ['VirtIO drivers and services (balloon, serial) from the virtio-win ISO', onMedia('virtio-win-gt-x64.msi', `msiexec /i %d:\\virtio-win-gt-x64.msi /qn /norestart /l*v ${logDir}\\virtio-win.log`)],
    ['QEMU guest agent from the virtio-win ISO', onMedia('guest-agent\\qemu-ga-x86_64.msi', `msiexec /i %d:\\guest-agent\\qemu-ga-x86_64.msi /qn /norestart /l*v ${logDir}\\qemu-ga.log`)],
    [
      'cloudbase-init (post-clone hostname, network, keys from the cloud-init drive)',
      onMedia(`${ANSWER_MEDIA_DIR}\\${CLOUDBASE_MSI}`, `msiexec /i %d:\\${ANSWER_MEDIA_DIR}\\${CLOUDBASE_MSI} /qn /norestart /l*v ${logDir}\\cloudbase-init.log RUN_SERVICE_AS_LOCAL_SYSTEM=1`),
    ],
  ]
    .map(
      ([description, line], i) =>
        `        <SynchronousCommand wcm:action="add">\n          <Order>${i + 1}</Order>\n          <Description>${esc(description)}</Description>\n` +
        `          <CommandLine>${esc(line)}</CommandLine>\n        </SynchronousCommand>`,
    )
    .join('\n');

  const password = `<Password>\n            <Value>${unattendPassword(c.password)}</Value>\n            <PlainText>false</PlainText>\n          </Password>`;
  const shellOobe = [
    '      <OOBE>',
    '        <HideEULAPage>true</HideEULAPage>',
    '        <HideOEMRegistrationScreen>true</HideOEMRegistrationScreen>',
    '        <HideOnlineAccountScreens>true</HideOnlineAccountScreens>',
    '        <HideWirelessSetupInOOBE>true</HideWirelessSetupInOOBE>',
    '        <HideLocalAccountScreen>true</HideLocalAccountScreen>',
    '        <ProtectYourPC>3</ProtectYourPC>',
    '      </OOBE>',
    '      <UserAccounts>',
    '        <LocalAccounts>',
    '          <LocalAccount wcm:action="add">',
    `            <Name>${esc(c.user)}</Name>`,
    '            <Group>Administrators</Group>',
    `            ${password.replace(/\n {12}/g, '\n              ').replace(/\n {10}<\/Password>/, '\n            </Password>')}`,
    '          </LocalAccount>',
    '        </LocalAccounts>',
    '      </UserAccounts>',
    '      <AutoLogon>',
    '        <Enabled>true</Enabled>',
    '        <LogonCount>1</LogonCount>',
    `        <Username>${esc(c.user)}</Username>`,
    `        ${password.replace(/\n {12}/g, '\n          ').replace(/\n {10}<\/Password>/, '\n        </Password>')}`,
    '      </AutoLogon>',
    '      <FirstLogonCommands>',
    commands,
    '      </FirstLogonCommands>',
    `      <TimeZone>${esc(c.timeZone)}</TimeZone>`,
  ].join('\n');

  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<!-- Rendered by Genesis (libs/installer) for Template-Win10-Trading; Windows 10 LTSC, UEFI, VirtIO. -->',
    '<unattend xmlns="urn:schemas-microsoft-com:unattend" xmlns:wcm="http://schemas.microsoft.com/WMIConfig/2002/State">',
    settings('windowsPE', [
      component('Microsoft-Windows-International-Core-WinPE', intl(true)),
      component('Microsoft-Windows-PnpCustomizationsWinPE', `      <DriverPaths>\n${pathAndCredentials}\n      </DriverPaths>`),
      component('Microsoft-Windows-Setup', setup),
    ]),
    settings('specialize', [
      component('Microsoft-Windows-Shell-Setup', `      <ComputerName>${esc(c.computerName)}</ComputerName>\n      <TimeZone>${esc(c.timeZone)}</TimeZone>`),
      component('Microsoft-Windows-SQMApi', '      <CEIPEnabled>0</CEIPEnabled>'),
      component('Microsoft-Windows-Security-SPP-UX', '      <SkipAutoActivation>true</SkipAutoActivation>'),
    ]),
    settings('oobeSystem', [component('Microsoft-Windows-International-Core', intl(false)), component('Microsoft-Windows-Shell-Setup', shellOobe)]),
    '</unattend>',
    '',
  ].join('\n');
}
