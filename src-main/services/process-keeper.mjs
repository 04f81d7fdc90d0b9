// Runs one managed server for the app and makes sure it never outlives the app.
//
// The app starts this keeper as the leader of a new process group and writes the server's
// command as one JSON line on the keeper's stdin (so its environment, secrets included, is
// never on a command line). The keeper starts the server in the same group, its output passed
// straight through, and keeps reading: when stdin closes (the app exited, even by a crash or
// SIGKILL) it stops the whole group, SIGTERM then SIGKILL after a grace period. It exits with
// the server's exit code.
import { spawn } from 'node:child_process';

let buffered = '';
let child;
let graceMs = 3000;

function signalGroup(signal) {
  try {
    if (process.platform === 'win32') child?.kill(signal);
    else process.kill(-process.pid, signal);
  } catch {
    // already gone
  }
}

function stopGroup() {
  signalGroup('SIGTERM');
  setTimeout(() => {
    signalGroup('SIGKILL');
    process.exit(1);
  }, graceMs).unref();
}

function start(spec) {
  graceMs = Number(spec.graceMs ?? graceMs);
  child = spawn(spec.command, spec.args ?? [], {
    cwd: spec.cwd || undefined,
    env: spec.env,
    stdio: ['ignore', 'inherit', 'inherit'],
    windowsHide: true,
  });
  child.on('error', (err) => {
    process.stderr.write(`could not start ${spec.command}: ${err.message}\n`);
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    if (signal) process.stderr.write(`${spec.command} ended by ${signal}\n`);
    process.exit(code ?? 128);
  });
}

// The group's SIGTERM reaches the keeper too: it waits for the server instead of leaving it.
process.on('SIGTERM', () => undefined);
process.on('SIGINT', () => undefined);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  if (child) return;
  buffered += chunk;
  const newline = buffered.indexOf('\n');
  if (newline >= 0) start(JSON.parse(buffered.slice(0, newline)));
});
process.stdin.on('end', stopGroup);
process.stdin.on('error', stopGroup);
