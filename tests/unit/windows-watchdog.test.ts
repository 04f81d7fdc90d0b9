import { describe, expect, it } from 'vitest';
import { windowsWatchdog } from '../../src-main/services/managed-process';

// PowerShell is not on these build machines: what can be checked here is the command line a
// Windows app runs (managed-process.ts starts it detached and hidden beside each server).
describe('the Windows watchdog of a managed server', () => {
  it('is a hidden PowerShell that ends the server tree only if the app ends first', () => {
    const { command, args } = windowsWatchdog(4242, 777);
    expect(command).toBe('powershell.exe');
    expect(args.slice(0, -1)).toEqual([
      '-NoProfile',
      '-NonInteractive',
      '-ExecutionPolicy',
      'Bypass',
      '-WindowStyle',
      'Hidden',
      '-Command',
    ]);
    const statements = args.at(-1)!.split('; ');
    expect(statements).toEqual([
      '$app = Get-Process -Id 4242 -ErrorAction SilentlyContinue',
      '$server = Get-Process -Id 777 -ErrorAction SilentlyContinue',
      'if (-not $server) { exit 0 }',
      'while ($app -and -not $app.HasExited -and -not $server.HasExited) { Start-Sleep -Milliseconds 500 }',
      'if (-not $server.HasExited) { taskkill.exe /PID 777 /T /F | Out-Null }',
    ]);
  });

  it('takes process ids only (nothing else reaches the script)', () => {
    expect(() => windowsWatchdog(1.5, 2)).toThrow(/process ids only/);
    expect(() => windowsWatchdog(1, Number.NaN)).toThrow(/process ids only/);
  });
});
