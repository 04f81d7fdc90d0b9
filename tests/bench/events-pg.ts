/**
 * PostgreSQL side of the events benchmark: a throw-away cluster (Debian's packaged binaries)
 * on a free loopback port, the same tables and indexes as the SQLite schema, a trigger-filled
 * tsvector with a GIN index for full text (what the reference system does), and the
 * PostgreSQL spelling of every `events.list` / `events.stats` query.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import type { BenchEvent } from './events-data';
import { BENCH_CAMERAS, benchEvent } from './events-data';
import { cameraIdFromName } from '../../src-shared/domain';
import { freePort } from '../helpers/http';

export interface PgCluster {
  client: pg.Client;
  version: string;
  connect(): Promise<pg.Client>;
  stop(): void;
}

function findBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (fs.existsSync(base)) {
    const versions = fs
      .readdirSync(base)
      .filter((v) => fs.existsSync(path.join(base, v, 'bin', 'pg_ctl')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return path.join(base, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v pg_ctl'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return found ? path.dirname(found) : undefined;
}

/** Creates and starts a cluster, or returns why it could not. Cleans up after itself on exit. */
export async function startPostgres(): Promise<PgCluster | { skipped: string }> {
  const bin = findBinDir();
  if (!bin || !fs.existsSync(path.join(bin, 'initdb'))) {
    return { skipped: 'initdb/pg_ctl not found (apt-get install postgresql)' };
  }
  const root = process.getuid?.() === 0;
  let owner: { uid: number; gid: number } | undefined;
  if (root) {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0) return { skipped: 'running as root and there is no postgres user' };
    owner = { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  }
  // Short path: the socket (-k) lives here too, and unix socket paths are limited to ~107 bytes.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hsi-pg-'));
  const data = path.join(dir, 'data');
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  const asOwner = (cmd: string, args: string[]) =>
    spawnSync(root ? 'runuser' : cmd, root ? ['-u', 'postgres', '--', cmd, ...args] : args, {
      encoding: 'utf8',
      timeout: 120_000,
    });
  let started = false;
  const stop = () => {
    if (started) {
      asOwner(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      started = false;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);

  const init = asOwner(path.join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
  ]);
  if (init.status !== 0) {
    stop();
    return { skipped: `initdb failed: ${(init.stderr || init.stdout || '').trim().slice(0, 300)}` };
  }
  const port = await freePort();
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    '-c listen_addresses=127.0.0.1',
    '-c shared_buffers=512MB',
    '-c work_mem=16MB',
    '-c maintenance_work_mem=512MB',
    '-c max_wal_size=4GB',
    // Durability is irrelevant to a read benchmark and only slows the bulk load.
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    // JIT compilation costs tens of ms on the 1M-row aggregates; most OLTP setups turn it off.
    '-c jit=off',
  ].join(' ');
  const ctl = asOwner(path.join(bin, 'pg_ctl'), [
    '-D',
    data,
    '-l',
    path.join(dir, 'server.log'),
    '-w',
    '-t',
    '60',
    '-o',
    options,
    'start',
  ]);
  if (ctl.status !== 0) {
    let log = '';
    try {
      log = fs.readFileSync(path.join(dir, 'server.log'), 'utf8').trim().split('\n').pop() ?? '';
    } catch {
      // no log
    }
    stop();
    return { skipped: `pg_ctl start failed: ${(ctl.stderr || log).trim().slice(0, 300)}` };
  }
  started = true;
  const connect = async () => {
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres' });
    await c.connect();
    return c;
  };
  try {
    const client = await connect();
    const v = await client.query<{ server_version: string }>('SHOW server_version');
    return { client, version: v.rows[0]!.server_version, connect, stop };
  } catch (err) {
    stop();
    return { skipped: `cannot connect: ${(err as Error).message}` };
  }
}

const EVENT_COLUMNS = [
  'id',
  'batch_id',
  'camera_id',
  'started_at',
  'ended_at',
  'risk_score',
  'raw_risk_score',
  'risk_level',
  'summary',
  'reasoning',
  'scorer',
  'model',
  'prompt_version_id',
  'latency_ms',
  'object_classes',
  'detection_count',
  'is_fast_path',
  'reviewed',
  'false_positive',
  'notes',
  'created_at',
  'updated_at',
] as const;

const DETECTION_COLUMNS = [
  'id',
  'camera_id',
  'image_path',
  'image_sha256',
  'image_width',
  'image_height',
  'detected_at',
  'object_class',
  'confidence',
  'x1',
  'y1',
  'x2',
  'y2',
  'stationary',
  'model',
  'created_at',
  'image_id',
] as const;

const SCHEMA = [
  `CREATE TABLE cameras (
    id text PRIMARY KEY,
    name text NOT NULL UNIQUE,
    folder text NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
  )`,
  `CREATE TABLE detections (
    id text NOT NULL,
    camera_id text NOT NULL,
    image_path text NOT NULL,
    image_sha256 text,
    image_width integer,
    image_height integer,
    detected_at timestamptz NOT NULL,
    object_class text NOT NULL,
    confidence real NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    x1 real NOT NULL, y1 real NOT NULL, x2 real NOT NULL, y2 real NOT NULL,
    stationary boolean NOT NULL DEFAULT false,
    model text,
    created_at timestamptz NOT NULL,
    image_id bigint
  )`,
  `CREATE TABLE events (
    id text NOT NULL,
    batch_id text,
    camera_id text NOT NULL,
    started_at timestamptz NOT NULL,
    ended_at timestamptz NOT NULL,
    risk_score integer NOT NULL CHECK (risk_score BETWEEN 0 AND 100),
    raw_risk_score integer,
    risk_level text NOT NULL CHECK (risk_level IN ('low', 'medium', 'high', 'critical')),
    summary text NOT NULL DEFAULT '',
    reasoning text NOT NULL DEFAULT '',
    scorer text NOT NULL CHECK (scorer IN ('llm', 'rules')),
    model text,
    prompt_version_id text,
    latency_ms double precision,
    object_classes text NOT NULL DEFAULT '',
    detection_count integer NOT NULL DEFAULT 0,
    is_fast_path boolean NOT NULL DEFAULT false,
    reviewed boolean NOT NULL DEFAULT false,
    false_positive boolean NOT NULL DEFAULT false,
    notes text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    search_vector tsvector
  )`,
  `CREATE TABLE event_detections (
    event_id text NOT NULL,
    detection_id text NOT NULL,
    created_at timestamptz NOT NULL
  )`,
  // Trigger-filled, like the reference system's search_vector and like the SQLite FTS5
  // triggers (camera name looked up at write time). 'simple' = no stemming or stop words,
  // the same as FTS5's unicode61 tokenizer. Each column is its own tsvector so phrases do
  // not run across columns (FTS5 phrases do not either).
  `CREATE FUNCTION events_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    NEW.search_vector :=
      setweight(to_tsvector('simple', NEW.summary), 'A') ||
      setweight(to_tsvector('simple', NEW.reasoning), 'B') ||
      setweight(to_tsvector('simple',
        coalesce((SELECT name FROM cameras WHERE id = NEW.camera_id), '')), 'C') ||
      setweight(to_tsvector('simple', NEW.object_classes), 'D');
    RETURN NEW;
  END $$`,
  `CREATE TRIGGER events_search_vector BEFORE INSERT OR UPDATE OF summary, reasoning,
    object_classes, camera_id ON events FOR EACH ROW EXECUTE FUNCTION events_search_vector()`,
];

/** Added after the bulk load (the usual way to load PostgreSQL): keys, then indexes. */
const AFTER_LOAD = [
  `ALTER TABLE events ADD PRIMARY KEY (id)`,
  `ALTER TABLE events ADD UNIQUE (batch_id)`,
  `ALTER TABLE detections ADD PRIMARY KEY (id)`,
  `ALTER TABLE event_detections ADD PRIMARY KEY (event_id, detection_id)`,
  `ALTER TABLE event_detections ADD UNIQUE (detection_id)`,
  `ALTER TABLE events ADD FOREIGN KEY (camera_id) REFERENCES cameras(id) ON DELETE CASCADE`,
  `ALTER TABLE detections ADD FOREIGN KEY (camera_id) REFERENCES cameras(id) ON DELETE CASCADE`,
  `ALTER TABLE event_detections ADD FOREIGN KEY (event_id) REFERENCES events(id) ON DELETE CASCADE`,
  `ALTER TABLE event_detections ADD FOREIGN KEY (detection_id) REFERENCES detections(id) ON DELETE CASCADE`,
  `CREATE INDEX events_started ON events (started_at DESC, id DESC)`,
  `CREATE INDEX events_camera_started ON events (camera_id, started_at DESC, id DESC)`,
  `CREATE INDEX events_level_started ON events (risk_level, started_at DESC, id DESC)`,
  `CREATE INDEX events_score ON events (risk_score, started_at DESC)`,
  `CREATE INDEX events_unreviewed ON events (started_at DESC, id DESC) WHERE NOT reviewed`,
  `CREATE INDEX events_rules_scored ON events (started_at) WHERE scorer = 'rules'`,
  `CREATE INDEX events_search ON events USING gin (search_vector)`,
  `CREATE INDEX detections_camera_time ON detections (camera_id, detected_at)`,
  `CREATE INDEX detections_time ON detections (detected_at)`,
  `CREATE INDEX detections_class_time ON detections (object_class, detected_at)`,
  `CREATE INDEX detections_image ON detections (image_id)`,
  `VACUUM (ANALYZE) cameras, events, detections, event_detections`,
];

/** COPY text format: backslash, tab, newline and carriage return escaped; NULL is \N. */
function copyField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return v.replace(/[\\\t\n\r]/g, (ch) =>
    ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r',
  );
}

const line = (values: (string | number | boolean | null | undefined)[]) =>
  `${values.map(copyField).join('\t')}\n`;

function eventLine(e: BenchEvent): string {
  return line([
    e.id,
    e.batch_id,
    e.camera_id,
    e.started_at,
    e.ended_at,
    e.risk_score,
    e.raw_risk_score,
    e.risk_level,
    e.summary,
    e.reasoning,
    e.scorer,
    e.model,
    null,
    e.latency_ms,
    e.object_classes,
    e.detection_count,
    e.is_fast_path === 1,
    e.reviewed === 1,
    e.false_positive === 1,
    e.notes,
    e.created_at,
    e.updated_at,
  ]);
}

/** Writes with back-pressure: a chunk of lines at a time. */
async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await new Promise<void>((r) => stream.once('drain', r));
}

function finish(stream: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
    stream.end();
  });
}

/**
 * Loads the same `n` rows as the SQLite seed: three COPY streams (events, detections,
 * links) fed from one pass over the generator, then keys, indexes and VACUUM ANALYZE.
 */
export async function loadPostgres(
  cluster: PgCluster,
  n: number,
  progress: (msg: string) => void,
): Promise<{ copySeconds: number; indexSeconds: number }> {
  const { client } = cluster;
  for (const s of SCHEMA) await client.query(s);
  const now = new Date().toISOString();
  for (const c of BENCH_CAMERAS) {
    const id = cameraIdFromName(c.name);
    await client.query(
      'INSERT INTO cameras (id, name, folder, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)',
      [id, c.name, `/data/hsi/ingest/${id}`, now],
    );
  }
  const t0 = performance.now();
  const clients = [client, await cluster.connect(), await cluster.connect()];
  const streams = [
    client.query(copyFrom(`COPY events (${EVENT_COLUMNS.join(', ')}) FROM STDIN`)),
    clients[1]!.query(copyFrom(`COPY detections (${DETECTION_COLUMNS.join(', ')}) FROM STDIN`)),
    clients[2]!.query(
      copyFrom('COPY event_detections (event_id, detection_id, created_at) FROM STDIN'),
    ),
  ] as const;
  // A failure on one stream must not leave the others waiting for 'drain' forever.
  let failed: Error | undefined;
  for (const s of streams) s.on('error', (err: Error) => (failed ??= err));
  const CHUNK = 2_000;
  const step = Math.max(CHUNK, Math.round(n / 10 / CHUNK) * CHUNK);
  for (let start = 0; start < n; start += CHUNK) {
    let ev = '';
    let det = '';
    let link = '';
    for (let i = start; i < Math.min(n, start + CHUNK); i += 1) {
      const e = benchEvent(i, n);
      ev += eventLine(e);
      for (const d of e.detections) {
        det += line([
          d.id,
          d.camera_id,
          d.image_path,
          d.image_sha256,
          d.image_width,
          d.image_height,
          d.detected_at,
          d.object_class,
          d.confidence,
          d.x1,
          d.y1,
          d.x2,
          d.y2,
          false,
          d.model,
          d.created_at,
          null,
        ]);
        link += line([e.id, d.id, e.created_at]);
      }
    }
    if (failed) throw failed;
    await Promise.all([write(streams[0], ev), write(streams[1], det), write(streams[2], link)]);
    if ((start + CHUNK) % step === 0) progress(`  postgres COPY ${start + CHUNK}/${n}`);
  }
  await Promise.all(streams.map(finish));
  if (failed) throw failed;
  await clients[1]!.end();
  await clients[2]!.end();
  const copySeconds = (performance.now() - t0) / 1000;
  progress(`  postgres COPY done in ${copySeconds.toFixed(1)} s; building keys and indexes`);
  const t1 = performance.now();
  for (const s of AFTER_LOAD) await client.query(s);
  return { copySeconds, indexSeconds: (performance.now() - t1) / 1000 };
}

/** The filter, in the contract's shape, plus how the FTS5 `q` reads as a tsquery. */
export interface BenchFilter {
  cameraIds?: string[];
  riskLevels?: string[];
  minRisk?: number;
  maxRisk?: number;
  from?: string;
  to?: string;
  reviewed?: boolean;
  objectClasses?: string[];
  q?: string;
}

export interface PgTsQuery {
  fn: 'to_tsquery' | 'phraseto_tsquery' | 'plainto_tsquery';
  text: string;
}

const SELECT_EVENTS = `SELECT ${EVENT_COLUMNS.map((c) => `e.${c}`).join(', ')},
  c.name AS camera_name,
  (SELECT d.image_id FROM event_detections ed
     JOIN detections d ON d.id = ed.detection_id
    WHERE ed.event_id = e.id ORDER BY d.confidence DESC LIMIT 1) AS thumbnail_image_id
FROM events e JOIN cameras c ON c.id = e.camera_id`;

/** The PostgreSQL spelling of applyEventFilter (src-main/events/event-repository.ts). */
function where(f: BenchFilter, ts: PgTsQuery | undefined, params: unknown[]): string[] {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const out: string[] = [];
  if (f.cameraIds?.length) out.push(`e.camera_id IN (${f.cameraIds.map(p).join(', ')})`);
  if (f.riskLevels?.length) out.push(`e.risk_level IN (${f.riskLevels.map(p).join(', ')})`);
  if (f.minRisk !== undefined) out.push(`e.risk_score >= ${p(f.minRisk)}`);
  if (f.maxRisk !== undefined) out.push(`e.risk_score <= ${p(f.maxRisk)}`);
  if (f.from) out.push(`e.started_at >= ${p(new Date(f.from).toISOString())}`);
  if (f.to) out.push(`e.started_at < ${p(new Date(f.to).toISOString())}`);
  if (f.reviewed !== undefined) out.push(`e.reviewed = ${p(f.reviewed)}`);
  if (f.objectClasses?.length) {
    out.push(
      `(${f.objectClasses.map((c) => `(' ' || e.object_classes || ' ') LIKE ${p(`% ${c} %`)}`).join(' OR ')})`,
    );
  }
  if (f.q) {
    if (!ts) throw new Error(`no tsquery given for q=${f.q}`);
    out.push(`e.search_vector @@ ${ts.fn}('simple', ${p(ts.text)})`);
  }
  return out;
}

export function pgListQuery(
  f: BenchFilter,
  ts: PgTsQuery | undefined,
  cursor: [string, string] | undefined,
  limit = 50,
): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const conds = where(f, ts, values);
  if (cursor) {
    values.push(cursor[0], cursor[1]);
    const a = `$${values.length - 1}`;
    const b = `$${values.length}`;
    // The same keyset condition the SQLite query uses.
    conds.push(`(e.started_at < ${a} OR (e.started_at = ${a} AND e.id < ${b}))`);
  }
  values.push(limit + 1);
  return {
    text: `${SELECT_EVENTS}${conds.length ? `\nWHERE ${conds.join(' AND ')}` : ''}
ORDER BY e.started_at DESC, e.id DESC LIMIT $${values.length}`,
    values,
  };
}

export function pgStatsQueries(
  f: BenchFilter,
  ts: PgTsQuery | undefined,
): { text: string; values: unknown[] }[] {
  const v1: unknown[] = [];
  const c1 = where(f, ts, v1);
  const v2: unknown[] = [];
  const c2 = where(f, ts, v2);
  const w = (c: string[]) => (c.length ? ` WHERE ${c.join(' AND ')}` : '');
  return [
    {
      text: `SELECT e.risk_level, count(*) AS n FROM events e JOIN cameras c ON c.id = e.camera_id${w(c1)} GROUP BY e.risk_level`,
      values: v1,
    },
    {
      text: `SELECT e.camera_id, c.name, count(*) AS n FROM events e JOIN cameras c ON c.id = e.camera_id${w(c2)} GROUP BY e.camera_id, c.name ORDER BY n DESC`,
      values: v2,
    },
  ];
}
