import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SettingsPatch } from '../../src-shared/settings';
import { createApp } from '../app/compose';
import { databasePath, defaultDataDir } from '../app/config';
import { DatabaseUnreadableError, restoreLatestBackup } from '../db/backups';
import { startWebServer } from './server';

const USAGE = `Usage: hsi serve [--data-dir DIR] [--port N] [--host 127.0.0.1] [--debug] [--settings FILE.json]
                 [--models-dir DIR] [--llm-port NAME=PORT]...
       hsi restore-backup [--data-dir DIR]

  Runs Home Security Intelligence without Electron and serves its UI and API over HTTP.
  --data-dir   where the database, ingest folders and exports live (default: ${defaultDataDir()})
  --port       port to listen on; 0 picks a free one (default 8470)
  --host       address to bind (default 127.0.0.1, loopback only)
  --debug      enable debug channels for this run
  --settings   JSON file with settings to apply at start (a deep partial)
  --renderer   folder with the built renderer (default: dist/renderer)
  --models-dir the app's models folder: the default model and models.json, the manifest of
               models the setup wizard offers (default: models/ beside package.json)
  --llm-port   a loopback port where "Find local servers" looks for a language model server,
               e.g. --llm-port Ollama=11500 (repeatable; replaces the usual Ollama 11434,
               llama.cpp 8080, LM Studio 1234 and vLLM 8000)

  restore-backup puts the latest backup (DATA/backups) in place of a damaged database; the
  damaged file is kept beside it as hsi.sqlite.damaged-<time>.
`;

export function rendererDirDefault(): string {
  return path.resolve(import.meta.dirname, '..', '..', 'dist', 'renderer');
}

function fail(message: string, code = 2): never {
  process.stderr.write(`hsi: ${message}\n`);
  process.exit(code);
}

/** `hsi restore-backup`: the latest backup replaces the database (the old file is kept). */
async function restoreBackup(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { 'data-dir': { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  try {
    const { restored, damagedFile } = await restoreLatestBackup(databasePath(dataDir));
    process.stdout.write(
      `Restored ${restored.file} (taken ${restored.at}); the previous file is ${damagedFile}\n`,
    );
  } catch (err) {
    fail((err as Error).message);
  }
}

export async function serve(argv: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        debug: { type: 'boolean' },
        settings: { type: 'string' },
        renderer: { type: 'string' },
        'models-dir': { type: 'string' },
        'llm-port': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = values.port === undefined ? 8470 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`invalid --port ${values.port}`);
  let settingsPatch: SettingsPatch | undefined;
  if (values.settings) {
    try {
      settingsPatch = JSON.parse(fs.readFileSync(values.settings, 'utf8')) as SettingsPatch;
    } catch (err) {
      fail(`cannot read --settings ${values.settings}: ${(err as Error).message}`);
    }
  }
  const localLlmServers = values['llm-port']?.map((spec) => {
    const m = /^(.+)=(\d{1,5})$/.exec(spec);
    const llmPort = Number(m?.[2]);
    if (!m || llmPort < 1 || llmPort > 65535) fail(`invalid --llm-port ${spec} (use NAME=PORT)`);
    return { name: m[1]!, port: llmPort };
  });
  const modelsDir = values['models-dir'] ? path.resolve(values['models-dir']) : undefined;
  if (modelsDir && !fs.existsSync(modelsDir)) fail(`no --models-dir folder ${modelsDir}`);
  const dataDir = path.resolve(values['data-dir'] ?? defaultDataDir());
  let app;
  try {
    // Smaller re-evaluation batches keep each transaction short on slow disks.
    const batch = Number(process.env.HSI_RECALIBRATION_BATCH);
    app = await createApp({
      dataDir,
      debug: values.debug,
      settingsPatch,
      modelsDir,
      localLlmServers,
      recalibrationBatchSize: Number.isInteger(batch) && batch > 0 ? batch : undefined,
    });
  } catch (err) {
    // A damaged database: say what to do (restore-backup) rather than print a stack.
    if (err instanceof DatabaseUnreadableError) fail(err.message, 3);
    const issues = (err as { issues?: unknown }).issues;
    fail(`${(err as Error).message}${issues ? `\n${JSON.stringify(issues, null, 2)}` : ''}`);
  }
  const server = await startWebServer(app, {
    host: values.host ?? '127.0.0.1',
    port,
    rendererDir: values.renderer ? path.resolve(values.renderer) : rendererDirDefault(),
  }).catch((err: unknown) => fail(`cannot listen: ${(err as Error).message}`));

  const bridgeFile = path.join(dataDir, 'bridge.json');
  const bridge = { url: server.url, port: server.port, token: server.token, pid: process.pid };
  fs.writeFileSync(bridgeFile, JSON.stringify(bridge, null, 2), { mode: 0o600 });
  fs.chmodSync(bridgeFile, 0o600);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.logger.info({ signal }, 'shutting down');
    try {
      await server.close();
      await app.close();
      fs.rmSync(bridgeFile, { force: true });
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  // Only now: whoever reads this line may stop the server at once (the handlers are in place).
  process.stdout.write(`HSI listening on ${server.url}/?token=${server.token}\n`);
}

export async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      await serve(rest);
      break;
    case 'restore-backup':
      await restoreBackup(rest);
      break;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      break;
    default:
      fail(`unknown command "${command}"\n\n${USAGE}`);
  }
}
