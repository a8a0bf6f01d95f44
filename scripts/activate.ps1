<#
.SYNOPSIS
    Turns a warm (passive) warm-standby instance into the active one: starts the application's
    Windows services and waits until they run and the application port listens.

.DESCRIPTION
    The reconciler runs this script through SSM Run Command (document "aws:runPowerShellScript")
    on the one instance it is about to register with the load balancer. Exit code 0 means the
    application is up; any failure or the deadline ends the script with a message that names the
    service or port and what was observed, and exit code 1, so that SSM reports the command as
    Failed and the reconciler does not register the instance.

    Idempotent: a service that already runs is left alone, a port that already listens passes at
    once. Running the script twice is harmless.

    Startup type: every service is left at (or set to) Manual, never Automatic. An active
    instance that reboots therefore comes back without the application; it fails the load
    balancer's health check and is replaced, and the reconciler activates a warm instance. The
    other choice, Automatic while active, would recover a reboot faster, but an instance that the
    reconciler gave up on while it was rebooting (deregistered, another one activated) would then
    start the application a second time on its own: for a singleton (exclusive database locks,
    file handles) the only safe path to a running application is this script, called by the
    reconciler that counts the active instances. A Disabled service is switched to Manual, since
    it could not be started otherwise.

.PARAMETER Services
    Windows service names (not display names) to start, in this order. Each must exist.

.PARAMETER ApplicationPort
    TCP port the application listens on once it is ready. 0 skips the port check.

.PARAMETER TimeoutSeconds
    Deadline for the whole activation, services and port together. The SSM document passes its
    own step timeout less 30 seconds, so this script fails with its own message before SSM kills
    it.

.EXAMPLE
    .\activate.ps1 -Services 'AcmeLicense', 'AcmeServer' -ApplicationPort 8443 -TimeoutSeconds 300

    Starts AcmeLicense, then AcmeServer, then waits until port 8443 listens; at most 300 seconds.

.EXAMPLE
    .\activate.ps1 -Services 'MSSQL$SQLEXPRESS'

    Starts a SQL Server named instance (single quotes keep the $ literal); no port check.
#>
param(
    [string[]]$Services = @(),
    [ValidateRange(0, 65535)][int]$ApplicationPort = 0,
    [ValidateRange(1, 172800)][int]$TimeoutSeconds = 540
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 2.0
# The ServiceController type is named in parameter types below, possibly before any cmdlet has
# loaded its assembly (port-only activation): load it first.
Add-Type -AssemblyName System.ServiceProcess

$clock = [System.Diagnostics.Stopwatch]::StartNew()
$pollMilliseconds = 1000
# A service seen Stopped this many polls in a row after the start request has died at start-up.
$stoppedPollsAfterStart = 5

# Write-Host, not Write-Output: progress must never become a function's return value. Run
# Command captures it as the command's output.
function Write-Step([string]$Message) {
    Write-Host ('[{0,6:N1} s] {1}' -f $clock.Elapsed.TotalSeconds, $Message)
}

# Every failure ends here: one line on stderr (SSM's StandardErrorContent) and exit code 1.
function Stop-Activation([string]$Message) {
    [Console]::Error.WriteLine("ACTIVATION FAILED after $([int]$clock.Elapsed.TotalSeconds) s: $Message")
    exit 1
}

function Get-SecondsLeft {
    return $TimeoutSeconds - $clock.Elapsed.TotalSeconds
}

# .NET calls wrap the reason two levels deep (MethodInvocationException -> InvalidOperation ->
# Win32Exception "the service is disabled"): report the whole chain.
function Get-ExceptionText([System.Exception]$Exception) {
    $messages = @()
    while ($null -ne $Exception) {
        $messages += $Exception.Message
        $Exception = $Exception.InnerException
    }
    return ($messages -join ' -> ')
}

function Get-ServiceOrFail([string]$Name) {
    $service = Get-Service -Name $Name -ErrorAction SilentlyContinue
    if ($null -eq $service) {
        Stop-Activation ("service '$Name' does not exist on this instance (Get-Service found " +
            "nothing); check the activation services against the golden AMI (use the service " +
            "name, not its display name)")
    }
    return $service
}

# Manual, not Automatic and not Disabled: see "Startup type" in the help above.
function Set-ManualStart([System.ServiceProcess.ServiceController]$Service) {
    if ($Service.StartType -ne 'Manual') {
        Write-Step "service '$($Service.Name)': startup type $($Service.StartType) -> Manual"
        Set-Service -Name $Service.Name -StartupType Manual
    }
}

function Wait-ServiceRunning([System.ServiceProcess.ServiceController]$Service) {
    $name = $Service.Name
    $Service.Refresh()
    if ($Service.Status -eq 'Running') {
        Write-Step "service '$name': already running"
        return
    }
    # A service that is stopping must finish before it can be started again.
    while ($Service.Status -eq 'StopPending') {
        if ((Get-SecondsLeft) -le 0) {
            Stop-Activation "service '$name' was still StopPending at the deadline ($TimeoutSeconds s); it could not be started"
        }
        Start-Sleep -Milliseconds $pollMilliseconds
        $Service.Refresh()
    }
    try {
        if ($Service.Status -eq 'Stopped') {
            Write-Step "service '$name': starting"
            # Start() returns at once (Start-Service would wait without our deadline); the
            # service control manager starts the services it depends on first.
            $Service.Start()
        } elseif ($Service.Status -eq 'Paused') {
            Write-Step "service '$name': paused, continuing"
            $Service.Continue()
        }
    } catch {
        Stop-Activation "service '$name' could not be started: $(Get-ExceptionText $_.Exception)"
    }
    $stoppedPolls = 0
    $seenStarting = $false
    while ($true) {
        $Service.Refresh()
        $status = $Service.Status
        if ($status -eq 'Running') { break }
        if ($status -eq 'Stopped') { $stoppedPolls++ } else { $seenStarting = $true; $stoppedPolls = 0 }
        if ($status -eq 'Stopped' -and ($seenStarting -or $stoppedPolls -ge $stoppedPollsAfterStart)) {
            Stop-Activation "service '$name' stopped while starting (last status: Stopped); its error is in the System event log (source Service Control Manager)"
        }
        if ((Get-SecondsLeft) -le 0) {
            Stop-Activation "service '$name' did not reach Running within $TimeoutSeconds s (last status: $status)"
        }
        Start-Sleep -Milliseconds $pollMilliseconds
    }
    Write-Step "service '$name': running"
}

# Listening sockets on the port, from the TCP table; a TcpClient to 127.0.0.1 where the NetTCPIP
# module is missing (every supported Windows Server has it, but the fallback costs nothing).
function Get-PortListeners([int]$Port) {
    if (Get-Command -Name Get-NetTCPConnection -ErrorAction SilentlyContinue) {
        return @(Get-NetTCPConnection -State Listen -LocalPort $Port -ErrorAction SilentlyContinue)
    }
    $client = New-Object System.Net.Sockets.TcpClient
    try {
        $connect = $client.BeginConnect('127.0.0.1', $Port, $null, $null)
        if ($connect.AsyncWaitHandle.WaitOne(1000) -and $client.Connected) {
            return @([pscustomobject]@{ LocalAddress = '127.0.0.1' })
        }
        return @()
    } catch {
        return @()
    } finally {
        $client.Close()
    }
}

function Wait-PortListening([int]$Port, [System.ServiceProcess.ServiceController[]]$Watched) {
    $watchedNames = @($Watched | ForEach-Object { $_.Name }) -join ', '
    while ($true) {
        $listeners = @(Get-PortListeners -Port $Port)
        if ($listeners.Count -gt 0) {
            $addresses = @($listeners | ForEach-Object { [string]$_.LocalAddress } | Sort-Object -Unique)
            $reachable = @($addresses | Where-Object { $_ -notin @('127.0.0.1', '::1') })
            if ($reachable.Count -eq 0) {
                # Not fatal: the local check passed, but the load balancer's health check will not.
                Write-Step "WARNING: port $Port listens on loopback only ($($addresses -join ', ')); the load balancer cannot reach it"
            }
            Write-Step "port ${Port}: listening on $($addresses -join ', ')"
            return
        }
        # A service that dies while we wait for its port will never open it: fail now.
        foreach ($service in $Watched) {
            $service.Refresh()
            if ($service.Status -ne 'Running') {
                Stop-Activation "service '$($service.Name)' left Running (status: $($service.Status)) while waiting for port $Port to listen"
            }
        }
        if ((Get-SecondsLeft) -le 0) {
            Stop-Activation "port $Port did not listen within $TimeoutSeconds s (no listening socket on any local address; services running: [$watchedNames])"
        }
        Start-Sleep -Milliseconds $pollMilliseconds
    }
}

try {
    $names = @($Services | ForEach-Object { "$_".Trim() } | Where-Object { $_ -ne '' })
    if ($names.Count -eq 0 -and $ApplicationPort -eq 0) {
        Write-Host 'ACTIVATED: no services and no application port given; nothing to do.'
        exit 0
    }
    Write-Step "activating: services [$($names -join ', ')], port $ApplicationPort, deadline $TimeoutSeconds s"

    # Look every service up before touching any, so that a typo fails before anything starts.
    $controllers = @(foreach ($name in $names) { Get-ServiceOrFail -Name $name })
    foreach ($controller in $controllers) {
        Set-ManualStart -Service $controller
        Wait-ServiceRunning -Service $controller
    }
    if ($ApplicationPort -gt 0) {
        Wait-PortListening -Port $ApplicationPort -Watched $controllers
    }

    $servicesText = if ($names.Count -gt 0) { "services [$($names -join ', ')] running" } else { 'no services' }
    $portText = if ($ApplicationPort -gt 0) { "port $ApplicationPort listening" } else { 'no port check' }
    Write-Host "ACTIVATED in $([int]$clock.Elapsed.TotalSeconds) s: $servicesText; $portText."
    exit 0
} catch {
    # exit is not an exception, so only real errors land here.
    Stop-Activation "unexpected error: $(Get-ExceptionText $_.Exception) (line $($_.InvocationInfo.ScriptLineNumber))"
}
