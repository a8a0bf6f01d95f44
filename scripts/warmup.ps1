<#
.SYNOPSIS
    Prepares a warm-standby instance at its first boot and makes sure the application does NOT
    start: the instance stays warm (booted, agent online) until the reconciler activates it.

.DESCRIPTION
    Runs once, as EC2 user data, on every instance the Auto Scaling group launches from the
    golden AMI. In this order:

    1. The application's services: startup type Manual, and stopped if running. Windows starts
       Automatic services before user data runs, so on a golden AMI that still has them
       Automatic the application may already be up: stopping it here is the safety net, but the
       AMI should have them Manual already. Manual rather than Disabled: a Manual service never
       starts at boot, and activation is then one step (start it), the same for activate.ps1 and
       for a user's own activation script that just calls Start-Service. (activate.ps1 turns a
       Disabled service into Manual anyway.) An Automatic service that depends on one of them
       would start it at boot; such dependents are reported as warnings, not changed.
    2. The SSM agent (AmazonSSMAgent): Automatic and running, because the reconciler can only
       activate an instance whose agent is Online.
    3. Optional pre-warming: reads every file under -PrewarmPath once and discards the bytes.
       EBS volumes restored from a snapshot fetch each block from S3 on first read, so this
       makes the application's first start after activation faster. It only reads; it never
       runs anything from that folder.
    4. A marker: <StateDirectory>\warm.json and an Application event-log entry (source
       WarmStandby, event 1000 when warm, 1001 when warm with errors).

    Every step logs its errors and the next step still runs: a failure to stop a service must
    not leave the agent unconfigured, and the other way round. The log is
    <StateDirectory>\warmup.log (and the EC2Launch user-data log). Exit code 1 when a step
    failed, 0 otherwise; EC2Launch only records it.

.PARAMETER Services
    Windows service names (not display names) of the application: the list given to the
    activation script.

.PARAMETER PrewarmPath
    Folder whose files are read once to warm the volume (e.g. 'D:\Acme'). Empty: no pre-warming.

.PARAMETER PrewarmMaxMegabytes
    Stop pre-warming after reading this many megabytes.

.PARAMETER StateDirectory
    Where the log and the warm.json marker are written.

.EXAMPLE
    .\warmup.ps1 -Services 'AcmeLicense', 'AcmeServer' -PrewarmPath 'D:\Acme'

    Keeps both services from starting, makes sure the SSM agent runs, reads D:\Acme once.
#>
param(
    [string[]]$Services = @(),
    [string]$PrewarmPath = '',
    [ValidateRange(0, 1048576)][int]$PrewarmMaxMegabytes = 4096,
    [string]$StateDirectory = "$env:ProgramData\WarmStandby"
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0

$ssmAgentServiceName = 'AmazonSSMAgent'
$eventSource = 'WarmStandby'
$stopTimeout = [TimeSpan]::FromSeconds(120)
$agentStartTimeout = [TimeSpan]::FromSeconds(120)
$failures = New-Object System.Collections.Generic.List[string]

$logPath = Join-Path $StateDirectory 'warmup.log'
try {
    New-Item -ItemType Directory -Path $StateDirectory -Force | Out-Null
} catch {
    # The log and the marker will fail too, each logged; the steps that matter still run.
    Write-Host "WARNING state directory '$StateDirectory' could not be created: $($_.Exception.Message)"
}

function Write-Log([string]$Message) {
    $line = '{0} {1}' -f (Get-Date).ToString('o'), $Message
    Write-Host $line
    try { Add-Content -Path $logPath -Value $line } catch { Write-Host "(log file not writable: $($_.Exception.Message))" }
}

function Add-Failure([string]$Step, [System.Management.Automation.ErrorRecord]$ErrorRecord) {
    $text = "${Step}: $($ErrorRecord.Exception.Message)"
    $failures.Add($text)
    Write-Log "ERROR $text"
}

# Step 1: the application must not run on a warm instance.
function Set-ApplicationPassive([string]$Name) {
    $service = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        # Not fatal here: activation names the missing service and fails, which is where it matters.
        Write-Log "WARNING service '$Name' does not exist on this instance; activation will fail until it does"
        return
    }
    if ($service.StartType -ne 'Manual') {
        Set-Service -Name $service.Name -StartupType Manual
        Write-Log "service '$($service.Name)': startup type $($service.StartType) -> Manual"
    }
    if ($service.Status -ne 'Stopped') {
        Write-Log "service '$($service.Name)': $($service.Status), stopping (the application must not run on a warm instance)"
        # -Force also stops the services that depend on it.
        Stop-Service -Name $service.Name -Force
        $service.WaitForStatus('Stopped', $stopTimeout)
        Write-Log "service '$($service.Name)': stopped"
    }
    $automaticDependents = @($service.DependentServices | Where-Object { $_.StartType -eq 'Automatic' })
    foreach ($dependent in $automaticDependents) {
        Write-Log "WARNING service '$($dependent.Name)' starts automatically and depends on '$($service.Name)': it will start the application at boot; set it to Manual in the golden AMI"
    }
}

# Step 2: the reconciler needs the agent Online. Start-Service is called on the agent only.
function Set-AgentRunning {
    $agent = Get-Service -Name $ssmAgentServiceName
    if ($agent.StartType -ne 'Automatic') {
        Set-Service -Name $ssmAgentServiceName -StartupType Automatic
        Write-Log "service '$ssmAgentServiceName': startup type $($agent.StartType) -> Automatic"
    }
    if ($agent.Status -eq 'Stopped') {
        Start-Service -Name 'AmazonSSMAgent'
    }
    # Also covers an agent that was StartPending when we looked.
    $agent.WaitForStatus('Running', $agentStartTimeout)
    Write-Log "service '$ssmAgentServiceName': running"
}

# Step 3: read, never execute. Files that cannot be opened (locked, no access) are skipped.
function Read-PrewarmFiles([string]$Path, [int]$MaxMegabytes) {
    if (-not (Test-Path -LiteralPath $Path -PathType Container)) {
        Write-Log "WARNING pre-warm folder '$Path' does not exist; skipped"
        return
    }
    $budget = [int64]$MaxMegabytes * 1MB
    $buffer = New-Object byte[] (1MB)
    $read = [int64]0
    $files = 0
    $skipped = 0
    foreach ($file in Get-ChildItem -LiteralPath $Path -File -Recurse -Force -ErrorAction SilentlyContinue) {
        if ($read -ge $budget) {
            Write-Log "pre-warm: stopped at the $MaxMegabytes MB budget"
            break
        }
        try {
            $stream = [System.IO.File]::Open($file.FullName, 'Open', 'Read', 'ReadWrite')
            try {
                while (($count = $stream.Read($buffer, 0, $buffer.Length)) -gt 0) { $read += $count }
            } finally {
                $stream.Dispose()
            }
            $files++
        } catch {
            $skipped++
        }
    }
    Write-Log ("pre-warm: read {0:N0} MB from {1} files under '{2}' ({3} skipped)" -f ($read / 1MB), $files, $Path, $skipped)
}

# Step 4: the marker says warm, and whether something went wrong on the way.
function Write-WarmMarker([string[]]$Names) {
    $state = if ($failures.Count -eq 0) { 'warm' } else { 'warm-with-errors' }
    $marker = [ordered]@{
        state    = $state
        at       = (Get-Date).ToUniversalTime().ToString('o')
        services = $Names
        failures = @($failures)
    }
    $marker | ConvertTo-Json -Depth 3 | Set-Content -Path (Join-Path $StateDirectory 'warm.json') -Encoding UTF8
    if (-not [System.Diagnostics.EventLog]::SourceExists($eventSource)) {
        New-EventLog -LogName Application -Source $eventSource
    }
    $entryType = if ($failures.Count -eq 0) { 'Information' } else { 'Warning' }
    $eventId = if ($failures.Count -eq 0) { 1000 } else { 1001 }
    $message = "warm-standby: instance is $state; application services [$($Names -join ', ')] kept from starting until activation."
    if ($failures.Count -gt 0) { $message += " Errors: $($failures -join ' | ')" }
    Write-EventLog -LogName Application -Source $eventSource -EventId $eventId -EntryType $entryType -Message $message
    Write-Log $message
}

$names = @($Services | ForEach-Object { "$_".Trim() } | Where-Object { $_ -ne '' })
Write-Log "warm-up: services [$($names -join ', ')], pre-warm '$PrewarmPath'"

foreach ($name in $names) {
    try { Set-ApplicationPassive -Name $name } catch { Add-Failure "service '$name'" $_ }
}
try { Set-AgentRunning } catch { Add-Failure "service '$ssmAgentServiceName'" $_ }
if ($PrewarmPath -ne '') {
    try { Read-PrewarmFiles -Path $PrewarmPath -MaxMegabytes $PrewarmMaxMegabytes } catch { Add-Failure 'pre-warm' $_ }
}
try { Write-WarmMarker -Names $names } catch { Add-Failure 'marker' $_ }

if ($failures.Count -gt 0) { exit 1 }
exit 0
