/**
 * The PowerShell debloat script run at first logon: removes the listed consumer AppX packages
 * (installed and provisioned), disables the listed scheduled telemetry tasks and services.
 * Idempotent (each step checks the current state first and says "already" when there is nothing
 * to do); every action goes to the log file and the console.
 */
import type { WindowsConfig } from './config';

const psString = (s: string) => `'${s.replace(/'/g, "''")}'`;
const psArray = (items: string[]) => (items.length ? `@(\n${items.map((i) => `    ${psString(i)}`).join(',\n')}\n)` : '@()');

export function renderDebloatScript(c: WindowsConfig): string {
  return `<#
.SYNOPSIS
  Genesis debloat for Template-Win10-Trading (rendered by libs/installer). Safe to run again.
#>
[CmdletBinding()]
param(
    [string]$LogPath = 'C:\\Windows\\Temp\\genesis-debloat.log'
)

$ErrorActionPreference = 'Continue'

$AppxPatterns = ${psArray(c.removeAppx)}

$TelemetryTasks = ${psArray(c.disableTasks)}

$TelemetryServices = ${psArray(c.disableServices)}

function Write-DebloatLog {
    param([Parameter(Mandatory = $true)][string]$Message)
    $line = '{0} {1}' -f (Get-Date -Format 'yyyy-MM-ddTHH:mm:ss'), $Message
    Add-Content -Path $LogPath -Value $line
    Write-Output $line
}

function Remove-ConsumerApp {
    param([Parameter(Mandatory = $true)][string]$Pattern)
    $installed = @(Get-AppxPackage -AllUsers -Name $Pattern)
    $provisioned = @(Get-AppxProvisionedPackage -Online | Where-Object { $_.DisplayName -like $Pattern })
    if ($installed.Count -eq 0 -and $provisioned.Count -eq 0) {
        Write-DebloatLog "app \${Pattern}: already absent"
        return
    }
    foreach ($package in $installed) {
        Remove-AppxPackage -Package $package.PackageFullName -AllUsers -ErrorAction SilentlyContinue
        Write-DebloatLog "app $($package.Name): removed"
    }
    foreach ($package in $provisioned) {
        Remove-AppxProvisionedPackage -Online -PackageName $package.PackageName -ErrorAction SilentlyContinue | Out-Null
        Write-DebloatLog "app $($package.DisplayName): unprovisioned"
    }
}

function Disable-TelemetryTask {
    param([Parameter(Mandatory = $true)][string]$Path)
    $taskPath = $Path.Substring(0, $Path.LastIndexOf('\\') + 1)
    $taskName = $Path.Substring($Path.LastIndexOf('\\') + 1)
    $task = Get-ScheduledTask -TaskPath $taskPath -TaskName $taskName -ErrorAction SilentlyContinue
    if ($null -eq $task) {
        Write-DebloatLog "task \${Path}: not present"
    } elseif ($task.State -eq 'Disabled') {
        Write-DebloatLog "task \${Path}: already disabled"
    } else {
        Disable-ScheduledTask -TaskPath $taskPath -TaskName $taskName | Out-Null
        Write-DebloatLog "task \${Path}: disabled"
    }
}

function Disable-TelemetryService {
    param([Parameter(Mandatory = $true)][string]$Name)
    $service = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        Write-DebloatLog "service \${Name}: not present"
        return
    }
    if ($service.Status -ne 'Stopped') {
        Stop-Service -Name $Name -Force -ErrorAction SilentlyContinue
        Write-DebloatLog "service \${Name}: stopped"
    }
    if ($service.StartType -eq 'Disabled') {
        Write-DebloatLog "service \${Name}: already disabled"
    } else {
        Set-Service -Name $Name -StartupType Disabled
        Write-DebloatLog "service \${Name}: disabled"
    }
}

Write-DebloatLog 'genesis debloat: start'
foreach ($pattern in $AppxPatterns) { Remove-ConsumerApp -Pattern $pattern }
foreach ($path in $TelemetryTasks) { Disable-TelemetryTask -Path $path }
foreach ($name in $TelemetryServices) { Disable-TelemetryService -Name $name }
Write-DebloatLog 'genesis debloat: done'
`;
}
