// `npm start`: the Electron app when an Electron binary is installed, otherwise headless mode.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { findElectronBinary } from './electron-binary';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);

function run(script: string): void {
  const r = spawnSync('npm', ['run', '--silent', script], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!fs.existsSync(path.join(ROOT, 'dist', 'renderer', 'index.html'))) run('build:renderer');

const electron = findElectronBinary();
if (electron) {
  run('build:main');
  const child = spawn(electron, [ROOT, ...args], { cwd: ROOT, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log(
    'No Electron binary found (set ELECTRON_PATH or install it into node_modules/electron/dist); ' +
      'starting headless mode instead — open the URL below in a browser.',
  );
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'hsi.js'), 'serve', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => child.kill(signal));
  }
  child.on('exit', (code) => process.exit(code ?? 0));
}
