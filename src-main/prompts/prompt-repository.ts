import type { Kysely, Selectable } from 'kysely';
import type {
  ExperimentMode,
  ExperimentVariant,
  LlmAnswer,
  PromptExperiment,
  PromptRollback,
  PromptTemplate,
  PromptVersion,
  RollbackPolicy,
  VersionAuthor,
  VersionParams,
} from '../../src-shared/prompts';
import { versionParamsSchema } from '../../src-shared/prompts';
import { sql } from 'kysely';
import { newId, nowIso } from '../common/ids';
import type { RunSummary } from './prompt-stats';
import type { DB, PromptRollbacksTable, PromptRunsTable, PromptVersionsTable } from '../db/schema';

function toVersion(r: Selectable<PromptVersionsTable>): PromptVersion {
  return {
    id: r.id,
    templateId: r.template_id,
    number: r.number,
    body: r.body,
    variables: JSON.parse(r.variables) as string[],
    constants: JSON.parse(r.constants) as Record<string, string>,
    params: versionParamsSchema.parse(JSON.parse(r.params)),
    active: r.active === 1,
    changeDescription: r.change_description,
    createdBy: r.created_by as VersionAuthor,
    sourceVersionId: r.source_version_id,
    textOnlyReason: r.text_only_reason,
    createdAt: r.created_at,
  };
}

function toRollback(r: Selectable<PromptRollbacksTable>): PromptRollback {
  return {
    id: r.id,
    templateId: r.template_id,
    versionId: r.version_id,
    reason: r.reason as PromptRollback['reason'],
    detail: r.detail,
    at: r.at,
  };
}

export interface NewVersion {
  templateId: string;
  body: string;
  variables: string[];
  constants: Record<string, string>;
  params: VersionParams;
  changeDescription: string;
  createdBy: VersionAuthor;
  sourceVersionId?: string | null;
}

export type RunKind = PromptRunsTable['kind'];
export type RunOutcomeKind = PromptRunsTable['outcome'];

/** One analysis by a version (or a playground draft), as recorded. */
export interface PromptRun {
  versionId: string | null;
  draftHash?: string | null;
  kind: RunKind;
  eventId?: string | null;
  batchId?: string | null;
  jobId?: string | null;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  outcome: RunOutcomeKind;
  error: string | null;
  riskScore: number | null;
  /** `riskScore` under the calibration of the batch. */
  score: number | null;
  answer: LlmAnswer | null;
  raw: string | null;
}

/** What analytics and rollback checks read of a run. */
export interface RunStat {
  versionId: string;
  kind: RunKind;
  eventId: string | null;
  at: string;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  outcome: RunOutcomeKind;
  riskScore: number | null;
  score: number | null;
}

/** Raw responses are kept for the playground and debugging, cut at this length. */
const RAW_MAX = 16_000;

/**
 * The prompt tables: templates, their immutable versions, one experiment per template, every
 * run of a version and automatic rollbacks.
 */
export function promptRepository(db: Kysely<DB>) {
  const versionsOf = (templateId: string) =>
    db.selectFrom('prompt_versions').selectAll().where('template_id', '=', templateId);

  return {
    async listTemplates(): Promise<PromptTemplate[]> {
      const rows = await db
        .selectFrom('prompt_templates as t')
        .leftJoin('prompt_versions as v', (j) =>
          j.onRef('v.template_id', '=', 't.id').on('v.active', '=', 1),
        )
        .select([
          't.id',
          't.name',
          't.description',
          't.live',
          't.created_at',
          't.updated_at',
          'v.id as active_id',
          'v.variables',
        ])
        .select((eb) =>
          eb
            .selectFrom('prompt_versions as c')
            .whereRef('c.template_id', '=', 't.id')
            .select(eb.fn.countAll<number>().as('n'))
            .as('version_count'),
        )
        .orderBy('t.live', 'desc')
        .orderBy('t.name')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        description: r.description,
        live: r.live === 1,
        variables: r.variables ? (JSON.parse(r.variables) as string[]) : [],
        activeVersionId: r.active_id,
        versionCount: Number(r.version_count ?? 0),
        createdAt: r.created_at,
        updatedAt: r.updated_at,
      }));
    },

    async getTemplate(id: string): Promise<PromptTemplate | undefined> {
      return (await this.listTemplates()).find((t) => t.id === id);
    },

    async templateByName(name: string): Promise<PromptTemplate | undefined> {
      return (await this.listTemplates()).find((t) => t.name === name);
    },

    async liveTemplateId(): Promise<string | undefined> {
      const row = await db
        .selectFrom('prompt_templates')
        .select('id')
        .where('live', '=', 1)
        .executeTakeFirst();
      return row?.id;
    },

    /** A new template with its first version, active. */
    async createTemplate(
      t: { name: string; description: string },
      first: Omit<NewVersion, 'templateId'>,
    ): Promise<{ templateId: string; version: PromptVersion }> {
      return db.transaction().execute(async (trx) => {
        const now = nowIso();
        const templateId = newId();
        await trx
          .insertInto('prompt_templates')
          .values({
            id: templateId,
            name: t.name,
            description: t.description,
            created_at: now,
            updated_at: now,
          })
          .execute();
        const version = await insertVersion(trx, { ...first, templateId }, true);
        return { templateId, version };
      });
    },

    async listVersions(templateId: string, limit?: number): Promise<PromptVersion[]> {
      const rows = await versionsOf(templateId)
        .orderBy('number', 'desc')
        .$if(limit !== undefined, (q) => q.limit(limit!))
        .execute();
      return rows.map(toVersion);
    },

    async getVersion(id: string): Promise<PromptVersion | undefined> {
      const row = await db
        .selectFrom('prompt_versions')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toVersion(row);
    },

    async activeVersion(templateId: string): Promise<PromptVersion | undefined> {
      const row = await versionsOf(templateId).where('active', '=', 1).executeTakeFirst();
      return row && toVersion(row);
    },

    /** Appends a version (numbered after the last); activates it when asked. */
    async createVersion(v: NewVersion, activate: boolean): Promise<PromptVersion> {
      return db.transaction().execute((trx) => insertVersion(trx, v, activate));
    },

    async activate(versionId: string): Promise<PromptVersion | undefined> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('prompt_versions')
          .selectAll()
          .where('id', '=', versionId)
          .executeTakeFirst();
        if (!row) return undefined;
        await activateIn(trx, row.template_id, versionId);
        return toVersion({ ...row, active: 1 });
      });
    },

    /** The model refused images: the version runs text-only from now on. */
    async markTextOnly(versionId: string, reason: string): Promise<void> {
      await db
        .updateTable('prompt_versions')
        .set({ text_only_reason: reason.slice(0, 500) })
        .where('id', '=', versionId)
        .execute();
    },

    async getExperiment(templateId: string): Promise<PromptExperiment | null> {
      const r = await db
        .selectFrom('prompt_experiments')
        .selectAll()
        .where('template_id', '=', templateId)
        .executeTakeFirst();
      return r
        ? {
            templateId: r.template_id,
            mode: r.mode,
            variants: JSON.parse(r.variants) as ExperimentVariant[],
            rollback: JSON.parse(r.rollback) as RollbackPolicy,
            startedAt: r.started_at,
            updatedAt: r.updated_at,
          }
        : null;
    },

    /** Starts (or replaces) the template's experiment: its runs are judged from now. */
    async setExperiment(e: {
      templateId: string;
      mode: ExperimentMode;
      variants: ExperimentVariant[];
      rollback: RollbackPolicy;
    }): Promise<PromptExperiment> {
      const now = nowIso();
      const row = {
        template_id: e.templateId,
        mode: e.mode,
        variants: JSON.stringify(e.variants),
        rollback: JSON.stringify(e.rollback),
        started_at: now,
        updated_at: now,
      };
      await db
        .insertInto('prompt_experiments')
        .values(row)
        .onConflict((oc) => oc.column('template_id').doUpdateSet(row))
        .execute();
      return { ...e, startedAt: now, updatedAt: now };
    },

    /**
     * Takes a candidate out of the experiment (ending it when `variants` is null), only if
     * the experiment is still the one read (`updatedAt`): false when it changed meanwhile.
     */
    async withdrawVariant(
      templateId: string,
      updatedAt: string,
      variants: ExperimentVariant[] | null,
    ): Promise<boolean> {
      const r = variants
        ? await db
            .updateTable('prompt_experiments')
            .set({ variants: JSON.stringify(variants), updated_at: nowIso() })
            .where('template_id', '=', templateId)
            .where('updated_at', '=', updatedAt)
            .executeTakeFirst()
        : await db
            .deleteFrom('prompt_experiments')
            .where('template_id', '=', templateId)
            .where('updated_at', '=', updatedAt)
            .executeTakeFirst();
      return Number('numUpdatedRows' in r ? r.numUpdatedRows : r.numDeletedRows) > 0;
    },

    async deleteExperiment(templateId: string): Promise<boolean> {
      const r = await db
        .deleteFrom('prompt_experiments')
        .where('template_id', '=', templateId)
        .executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async insertRun(run: PromptRun): Promise<number> {
      const r = await db
        .insertInto('prompt_runs')
        .values({
          version_id: run.versionId,
          draft_hash: run.draftHash ?? null,
          kind: run.kind,
          event_id: run.eventId ?? null,
          batch_id: run.batchId ?? null,
          job_id: run.jobId ?? null,
          at: nowIso(),
          latency_ms: run.latencyMs,
          prompt_tokens: run.promptTokens,
          completion_tokens: run.completionTokens,
          outcome: run.outcome,
          error: run.error,
          risk_score: run.riskScore,
          score: run.score,
          answer: run.answer ? JSON.stringify(run.answer) : null,
          raw: run.raw === null ? null : run.raw.slice(0, RAW_MAX),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return r.id;
    },

    /** A batch's live runs belong to the event it became. */
    async linkBatchRuns(batchId: string, eventId: string): Promise<void> {
      await db
        .updateTable('prompt_runs')
        .set({ event_id: eventId })
        .where('batch_id', '=', batchId)
        .where('event_id', 'is', null)
        .execute();
    },

    /** Runs of these versions, oldest first (analytics, rollback checks). */
    async runStats(
      versionIds: string[],
      f: { from?: string; to?: string; kinds?: RunKind[] } = {},
    ): Promise<RunStat[]> {
      if (versionIds.length === 0) return [];
      const rows = await db
        .selectFrom('prompt_runs')
        .select([
          'version_id',
          'kind',
          'event_id',
          'at',
          'latency_ms',
          'prompt_tokens',
          'completion_tokens',
          'outcome',
          'risk_score',
          'score',
        ])
        .where('version_id', 'in', versionIds)
        .$if(f.from !== undefined, (q) => q.where('at', '>=', f.from!))
        .$if(f.to !== undefined, (q) => q.where('at', '<=', f.to!))
        .$if(f.kinds !== undefined, (q) => q.where('kind', 'in', f.kinds!))
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        versionId: r.version_id!,
        kind: r.kind,
        eventId: r.event_id,
        at: r.at,
        latencyMs: r.latency_ms,
        promptTokens: r.prompt_tokens,
        completionTokens: r.completion_tokens,
        outcome: r.outcome,
        riskScore: r.risk_score,
        score: r.score,
      }));
    },

    /** A version's live and shadow runs since a time, summed up for the rollback rule. */
    async runSummary(versionId: string, since: string): Promise<RunSummary> {
      const scope = db
        .selectFrom('prompt_runs')
        .where('version_id', '=', versionId)
        .where('kind', 'in', ['live', 'shadow'])
        .where('at', '>=', since);
      const agg = await scope
        .select((eb) => [
          eb.fn.countAll<number>().as('runs'),
          eb.fn.sum<number>(sql`outcome != 'failed'`).as('answered'),
          eb.fn.sum<number>(sql`outcome = 'parse_failed'`).as('parse_failures'),
        ])
        .executeTakeFirstOrThrow();
      const runs = Number(agg.runs);
      // Nearest rank, as `percentile` counts it.
      const p95 = runs
        ? await scope
            .select('latency_ms')
            .orderBy('latency_ms')
            .limit(1)
            .offset(Math.max(1, Math.ceil(0.95 * runs)) - 1)
            .executeTakeFirst()
        : undefined;
      return {
        runs,
        answered: Number(agg.answered ?? 0),
        parseFailures: Number(agg.parse_failures ?? 0),
        p95LatencyMs: p95?.latency_ms ?? null,
      };
    },

    /** Playground runs of a saved version or of one exact draft. */
    async playgroundRuns(key: { versionId: string } | { draftHash: string }): Promise<number> {
      const r = await db
        .selectFrom('prompt_runs')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('kind', '=', 'playground')
        .$if('versionId' in key, (q) =>
          q.where('version_id', '=', (key as { versionId: string }).versionId),
        )
        .$if('draftHash' in key, (q) =>
          q.where('draft_hash', '=', (key as { draftHash: string }).draftHash),
        )
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },

    /** An evaluation job's runs: event, score, parse outcome. */
    async jobRuns(
      jobId: string,
    ): Promise<
      { eventId: string; score: number | null; outcome: RunOutcomeKind; answer: LlmAnswer | null }[]
    > {
      const rows = await db
        .selectFrom('prompt_runs')
        .select(['event_id', 'score', 'outcome', 'answer'])
        .where('job_id', '=', jobId)
        .orderBy('id')
        .execute();
      return rows
        .filter((r) => r.event_id !== null)
        .map((r) => ({
          eventId: r.event_id!,
          score: r.score,
          outcome: r.outcome,
          answer: r.answer ? (JSON.parse(r.answer) as LlmAnswer) : null,
        }));
    },

    async insertRollback(r: Omit<PromptRollback, 'id' | 'at'>): Promise<PromptRollback> {
      const row = await db
        .insertInto('prompt_rollbacks')
        .values({
          template_id: r.templateId,
          version_id: r.versionId,
          reason: r.reason,
          detail: r.detail,
          at: nowIso(),
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      return toRollback(row);
    },

    async rollbacks(templateId: string): Promise<PromptRollback[]> {
      const rows = await db
        .selectFrom('prompt_rollbacks')
        .selectAll()
        .where('template_id', '=', templateId)
        .orderBy('id', 'desc')
        .limit(100)
        .execute();
      return rows.map(toRollback);
    },
  };
}

export type PromptRepository = ReturnType<typeof promptRepository>;

type Tx = Kysely<DB>;

async function activateIn(trx: Tx, templateId: string, versionId: string): Promise<void> {
  await trx
    .updateTable('prompt_versions')
    .set({ active: 0 })
    .where('template_id', '=', templateId)
    .where('active', '=', 1)
    .execute();
  await trx.updateTable('prompt_versions').set({ active: 1 }).where('id', '=', versionId).execute();
  await trx
    .updateTable('prompt_templates')
    .set({ updated_at: nowIso() })
    .where('id', '=', templateId)
    .execute();
}

async function insertVersion(trx: Tx, v: NewVersion, activate: boolean): Promise<PromptVersion> {
  const last = await trx
    .selectFrom('prompt_versions')
    .select((eb) => eb.fn.max('number').as('n'))
    .where('template_id', '=', v.templateId)
    .executeTakeFirst();
  const row = {
    id: newId(),
    template_id: v.templateId,
    number: Number(last?.n ?? 0) + 1,
    body: v.body,
    variables: JSON.stringify(v.variables),
    constants: JSON.stringify(v.constants),
    params: JSON.stringify(v.params),
    active: 0 as const,
    change_description: v.changeDescription,
    created_by: v.createdBy,
    source_version_id: v.sourceVersionId ?? null,
    text_only_reason: null,
    created_at: nowIso(),
  };
  await trx.insertInto('prompt_versions').values(row).execute();
  if (activate) await activateIn(trx, v.templateId, row.id);
  return toVersion({ ...row, active: activate ? 1 : 0 });
}
