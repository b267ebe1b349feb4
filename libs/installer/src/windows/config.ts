/**
 * What the Windows 10 LTSC template's unattended install needs. Defaults fit Template-Win10-Trading
 * (q35, OVMF/UEFI, VirtIO SCSI, the virtio-win ISO on a second CD drive).
 */
import { z } from 'zod';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/, { message: 'is not a NetBIOS computer name (1-15 letters, digits, -)' });
const appx = z.string().regex(/^[A-Za-z0-9.*_-]+$/, { message: 'is not an AppX package name pattern, e.g. Microsoft.BingWeather' });

export const windowsConfigSchema = z.strictObject({
  computerName: name.default('WIN10-TRADING'),
  user: z.string().regex(/^[A-Za-z][A-Za-z0-9._-]{0,19}$/, { message: 'is not a local account name (up to 20 letters, digits, . _ -)' }).default('trader'),
  /** Plain text only in memory: written base64-obfuscated as unattend requires, never logged. */
  password: z.string().min(8, { message: 'is shorter than 8 characters' }),
  locale: z.string().regex(/^[a-z]{2}-[A-Z]{2}$/).default('en-US'),
  inputLocale: z.string().default('0409:00000409'),
  timeZone: z.string().default('W. Europe Standard Time'),
  /** The install.wim image to install, by /IMAGE/NAME. */
  imageName: z.string().default('Windows 10 Enterprise LTSC 2021'),
  /** Empty: the LTSC evaluation/volume media need no key during setup. */
  productKey: z.string().regex(/^([A-Z0-9]{5}-){4}[A-Z0-9]{5}$/, { message: 'is not a product key (XXXXX-XXXXX-XXXXX-XXXXX-XXXXX)' }).optional(),
  /** virtio-win driver folders for Windows 10 amd64: storage (vioscsi, viostor) and network (NetKVM). */
  drivers: z.array(z.string()).default(['vioscsi', 'viostor', 'NetKVM']),
  driverLetters: z.array(z.string().regex(/^[D-Z]$/)).default(['D', 'E', 'F']),
  removeAppx: z.array(appx).default([
    'Microsoft.BingWeather', 'Microsoft.GetHelp', 'Microsoft.Getstarted', 'Microsoft.Microsoft3DViewer', 'Microsoft.MicrosoftOfficeHub',
    'Microsoft.MicrosoftSolitaireCollection', 'Microsoft.MixedReality.Portal', 'Microsoft.People', 'Microsoft.SkypeApp', 'Microsoft.Xbox*',
    'Microsoft.ZuneMusic', 'Microsoft.ZuneVideo', 'Microsoft.YourPhone', 'Microsoft.WindowsFeedbackHub',
  ]),
  disableTasks: z.array(z.string().regex(/^\\[^"'`$]+\\[^"'`$\\]+$/, { message: 'is not a scheduled task path, e.g. \\Microsoft\\Windows\\Application Experience\\ProgramDataUpdater' })).default([
    '\\Microsoft\\Windows\\Application Experience\\Microsoft Compatibility Appraiser',
    '\\Microsoft\\Windows\\Application Experience\\ProgramDataUpdater',
    '\\Microsoft\\Windows\\Customer Experience Improvement Program\\Consolidator',
    '\\Microsoft\\Windows\\Customer Experience Improvement Program\\UsbCeip',
    '\\Microsoft\\Windows\\Feedback\\Siuf\\DmClient',
    '\\Microsoft\\Windows\\Windows Error Reporting\\QueueReporting',
  ]),
  disableServices: z.array(z.string().regex(/^[A-Za-z0-9_]+$/)).default(['DiagTrack', 'dmwappushservice', 'WerSvc', 'RetailDemo']),
});

export type WindowsConfigInput = z.input<typeof windowsConfigSchema>;
export type WindowsConfig = z.output<typeof windowsConfigSchema>;
