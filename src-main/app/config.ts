import os from 'node:os';
import path from 'node:path';
import type { SettingsPatch } from '../../src-shared/settings';
import type { DesktopFiles } from '../exports';
import type { IngestRow, StageTimings } from '../ingest';
import type { SecretStore } from '../notify';
import type { Logger } from '../system';

export interface AppConfig {
  /** Everything the app stores lives here: database, ingest folders, exports, logs. */
  dataDir: string;
  /** Debug mode for this run (also switchable in settings). */
  debug?: boolean;
  /** Applied over the saved settings at start (`--settings FILE.json`), and saved. */
  settingsPatch?: SettingsPatch;
  logger?: Logger;
  /** Start folder watching, FTP and the detection pipeline (default true). */
  ingest?: boolean;
  /** How long the LLM breaker stays open before a trial call (tests shorten it). */
  llmBreakerCooldownMs?: number;
  /** How often rules-scored events are offered to the LLM again. */
  rescoreIntervalMs?: number;
  /** How long a stopping managed server gets before SIGKILL (default 3 s). */
  serviceGraceMs?: number;
  /** Encrypts notification secrets (Electron passes one backed by safeStorage). */
  secretStore?: SecretStore;
  /** First delivery retry delay and outbox poll interval (tests shorten them). */
  outboxBackoffMs?: number;
  outboxPollMs?: number;
  /** Desktop-only abilities the Electron edge lends (Save As dialog, show in folder). */
  desktop?: DesktopFiles;
  /** Events per chunk an export reads (tests make it small to catch a job mid-run). */
  exportChunkSize?: number;
  /** Without a `logger`: also log to stderr (default true; tests read the logs table only). */
  logStderr?: boolean;
  /** Events per re-evaluation batch (one transaction each); 1000 by default. */
  recalibrationBatchSize?: number;
  /** Loopback servers `llm.detect` probes (default: Ollama, llama.cpp, LM Studio, vLLM ports). */
  localLlmServers?: { name: string; port: number }[];
  /** Machine samples every this many ms (default 15 s; 0: none on a timer). */
  telemetrySampleMs?: number;
  /** The `nvidia-smi` to run (default: looked up on PATH). */
  nvidiaSmi?: string;
  /** The clock batch windows are measured on (tests move it instead of waiting). */
  batchClock?: () => number;
  /**
   * The app's own models folder: the bundled default model and `models.json` (the packaged
   * app passes its resources folder; default: `models/` beside package.json).
   */
  modelsDir?: string;
  /** Per-image stage timings (benchmarks). */
  onProcessed?: (row: IngestRow, timings: StageTimings) => void;
}

/** The per-user data folder: HSI_DATA_DIR, else the platform's usual app-data place. */
export function defaultDataDir(): string {
  if (process.env.HSI_DATA_DIR) return path.resolve(process.env.HSI_DATA_DIR);
  const home = os.homedir();
  const name = 'home-security-intelligence';
  if (process.platform === 'win32') {
    return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), name);
  }
  if (process.platform === 'darwin') {
    return path.join(home, 'Library', 'Application Support', name);
  }
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), name);
}

export function databasePath(dataDir: string): string {
  return path.join(dataDir, 'hsi.sqlite');
}
