import type { Kysely } from 'kysely';
import { sql } from 'kysely';

/**
 * Prompt management. The prompt tables of 001 were never written, so they are rebuilt:
 * - versions are immutable and carry their declared variables, constant values, model
 *   parameters and who made them and why; `text_only_reason` is set when the model refused
 *   images;
 * - one experiment per template (`split` or `shadow`) with its rollback policy;
 * - `prompt_runs`: every analysis by a version (live, shadow, evaluation, playground) with
 *   latency, tokens, outcome (ok, parse_failed: answered but invalid, failed: no answer), the
 *   model's score and that score under the calibration of the time; automatic rollbacks in `prompt_rollbacks`.
 * The built-in prompt the LLM scorer used so far becomes version 1 of "Risk analysis" (and
 * LLM-scored events point at it); version 2, active, asks for the structured answer.
 * `events.analysis` keeps the structured answer's extra fields (title, observations, …).
 */
export const RISK_TEMPLATE_ID = 'prompt-risk';
const V1 = 'prompt-risk-v1';
const V2 = 'prompt-risk-v2';

const V1_BODY = `You are a home security analyst. You receive object detections from one security camera over a short time window and judge how concerning they are for the homeowner. Answer only with JSON: {"risk_score": 0-100, "risk_level": "low"|"medium"|"high"|"critical", "summary": one sentence, "reasoning": two or three sentences}. Routine activity (deliveries in daytime, pets, passing cars) is low; people lingering at night, at entry points or in restricted zones is high.

Camera: {{camera_name}}
Time window: {{start_time}} to {{end_time}} ({{time_context}})
Detections:
{{detections}}
Zones on this camera:
{{zones}}`;

const V2_BODY = `You are a home security analyst for a private home. You receive object detections from one security camera over a short time window and judge how concerning they are for the homeowner.

Most activity is not a threat: expect about 80% low, 15% medium, 4% high and 1% critical. Reference points: a resident arriving 5-15; a delivery 15-25; an unknown person on the sidewalk 20-35; someone lingering 45-60; someone testing door handles 70-85; a break-in or violence 85-100. Pets, passing cars, daytime deliveries and activity in ordinary zones lower the risk; people at entry points or restricted zones at night, lingering, hiding or tampering raise it.

Camera: {{camera_name}} ({{camera_id}})
Time window: {{start_time}} to {{end_time}} ({{time_context}})

Detections:
{{detections}}

Zones on this camera:
{{zones}}

Recent activity on this camera:
{{recent_activity}}

How the homeowner's calibration reads scores: {{calibration_hint}}

Answer with one JSON object: risk_score (0-100), risk_level (low, medium, high or critical), title (at most 80 characters), summary (one or two sentences), observations (3 to 8 short facts you relied on), reasoning (why this score), confidence (0 to 1) and other_concerns (anything else worth knowing; may be empty).`;

const V1_VARIABLES = [
  'camera_name',
  'start_time',
  'end_time',
  'time_context',
  'detections',
  'zones',
];
const V2_VARIABLES = [
  'camera_name',
  'camera_id',
  'start_time',
  'end_time',
  'time_context',
  'detections',
  'zones',
  'recent_activity',
  'calibration_hint',
];
const VISION_OFF = { enabled: false, maxImages: 1, maxSide: 768 };
const V1_PARAMS = {
  model: '',
  temperature: 0.2,
  maxTokens: 1024,
  responseSchema: { kind: 'basic' },
  vision: VISION_OFF,
};
const V2_PARAMS = {
  model: '',
  temperature: 0.2,
  maxTokens: 1024,
  responseSchema: {
    kind: 'structured',
    limits: {
      titleMax: 80,
      summaryMax: 600,
      observationsMin: 3,
      observationsMax: 8,
      reasoningMax: 2000,
      otherConcernsMax: 5,
    },
  },
  vision: VISION_OFF,
};

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'prompt_usage',
    'prompt_experiments',
    'prompt_versions',
    'prompt_templates',
  ]) {
    await sql`DROP TABLE IF EXISTS ${sql.table(table)}`.execute(db);
  }
  const statements = [
    sql`CREATE TABLE prompt_templates (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      description TEXT NOT NULL DEFAULT '',
      live INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    sql`CREATE UNIQUE INDEX prompt_templates_one_live ON prompt_templates (live) WHERE live = 1`,
    sql`CREATE TABLE prompt_versions (
      id TEXT PRIMARY KEY,
      template_id TEXT NOT NULL REFERENCES prompt_templates(id) ON DELETE CASCADE,
      number INTEGER NOT NULL,
      body TEXT NOT NULL,
      variables TEXT NOT NULL,
      constants TEXT NOT NULL DEFAULT '{}',
      params TEXT NOT NULL,
      active INTEGER NOT NULL DEFAULT 0,
      change_description TEXT NOT NULL DEFAULT '',
      created_by TEXT NOT NULL,
      source_version_id TEXT,
      text_only_reason TEXT,
      created_at TEXT NOT NULL,
      UNIQUE (template_id, number)
    )`,
    sql`CREATE UNIQUE INDEX prompt_versions_one_active ON prompt_versions (template_id) WHERE active = 1`,
    sql`CREATE TABLE prompt_experiments (
      template_id TEXT PRIMARY KEY REFERENCES prompt_templates(id) ON DELETE CASCADE,
      mode TEXT NOT NULL CHECK (mode IN ('split', 'shadow')),
      variants TEXT NOT NULL,
      rollback TEXT NOT NULL,
      started_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    )`,
    sql`CREATE TABLE prompt_runs (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      version_id TEXT REFERENCES prompt_versions(id) ON DELETE CASCADE,
      draft_hash TEXT,
      kind TEXT NOT NULL CHECK (kind IN ('live', 'shadow', 'evaluate', 'playground')),
      event_id TEXT REFERENCES events(id) ON DELETE CASCADE,
      batch_id TEXT,
      job_id TEXT,
      at TEXT NOT NULL,
      latency_ms REAL NOT NULL,
      prompt_tokens INTEGER,
      completion_tokens INTEGER,
      outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'parse_failed', 'failed')),
      error TEXT,
      risk_score INTEGER,
      score INTEGER,
      answer TEXT,
      raw TEXT
    )`,
    sql`CREATE INDEX prompt_runs_version ON prompt_runs (version_id, kind, at)`,
    sql`CREATE INDEX prompt_runs_event ON prompt_runs (event_id, kind)`,
    sql`CREATE INDEX prompt_runs_job ON prompt_runs (job_id) WHERE job_id IS NOT NULL`,
    sql`CREATE INDEX prompt_runs_batch ON prompt_runs (batch_id) WHERE batch_id IS NOT NULL`,
    sql`CREATE INDEX prompt_runs_draft ON prompt_runs (draft_hash) WHERE draft_hash IS NOT NULL`,
    sql`CREATE TABLE prompt_rollbacks (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      template_id TEXT NOT NULL REFERENCES prompt_templates(id) ON DELETE CASCADE,
      version_id TEXT NOT NULL,
      reason TEXT NOT NULL,
      detail TEXT NOT NULL,
      at TEXT NOT NULL
    )`,
    sql`ALTER TABLE events ADD COLUMN analysis TEXT`,
  ];
  for (const statement of statements) await statement.execute(db);

  const now = new Date().toISOString();
  await sql`INSERT INTO prompt_templates (id, name, description, live, created_at, updated_at)
    VALUES (${RISK_TEMPLATE_ID}, 'Risk analysis',
      'Scores each closed batch of detections: what the LLM scorer asks the model.', 1, ${now}, ${now})`.execute(
    db,
  );
  const versions = [
    [
      V1,
      1,
      V1_BODY,
      V1_VARIABLES,
      V1_PARAMS,
      0,
      'The built-in prompt used before prompts were versioned',
    ],
    [
      V2,
      2,
      V2_BODY,
      V2_VARIABLES,
      V2_PARAMS,
      1,
      'Built-in prompt with the structured answer and more context',
    ],
  ] as const;
  for (const [id, number, body, variables, params, active, why] of versions) {
    await sql`INSERT INTO prompt_versions
      (id, template_id, number, body, variables, constants, params, active, change_description, created_by, created_at)
      VALUES (${id}, ${RISK_TEMPLATE_ID}, ${number}, ${body}, ${JSON.stringify(variables)}, '{}',
        ${JSON.stringify(params)}, ${active}, ${why}, 'system', ${now})`.execute(db);
  }
  await sql`UPDATE events SET prompt_version_id = ${V1}
    WHERE scorer = 'llm' AND prompt_version_id IS NULL`.execute(db);
}
