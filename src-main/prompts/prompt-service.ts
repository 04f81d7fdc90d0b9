import { createTwoFilesPatch } from 'diff';
import { z } from 'zod';
import type { ChannelParsedInput } from '../../src-shared/contract';
import { AppError } from '../../src-shared/errors';
import type {
  ImportPlanItem,
  PromptExperiment,
  PromptImportResult,
  PromptTemplate,
  PromptTemplateDetail,
  PromptVersion,
  PromptsExport,
  VersionParams,
  VersionParamsPatch,
} from '../../src-shared/prompts';
import {
  DEFAULT_ROLLBACK_POLICY,
  DEFAULT_VERSION_PARAMS,
  mergeParams,
  templateIssues,
  variableNameSchema,
  versionParamsSchema,
} from '../../src-shared/prompts';
import { nowIso } from '../common/ids';
import type { PromptRepository } from './prompt-repository';
import { renderOrInvalid, variableIssue } from './prompt-runner';

/** A version's content, complete. */
export interface VersionContent {
  body: string;
  variables: string[];
  constants: Record<string, string>;
  params: VersionParams;
}

/** `invalid_input` listing every problem of a draft, each naming its variables. */
export function assertValidContent(c: VersionContent, what = 'The prompt'): void {
  const issues = templateIssues(c.body, c.variables, c.constants);
  if (!issues.length) return;
  throw new AppError(
    'invalid_input',
    `${what} cannot be saved: ${issues.map((i) => i.message).join('; ')}`,
    issues.flatMap((i) =>
      i.variables.length
        ? i.variables.map((v) => variableIssue(v, i.code, i.message))
        : [{ path: ['body'], message: i.message, code: i.code }],
    ),
  );
}

const exportSchema = z.strictObject({
  format: z.literal('hsi-prompts'),
  version: z.literal(1),
  exportedAt: z.string().optional(),
  templates: z
    .array(
      z.strictObject({
        name: z.string().trim().min(1).max(80),
        description: z.string().max(500).default(''),
        versions: z
          .array(
            z.strictObject({
              number: z.int().min(1),
              active: z.boolean().default(false),
              body: z.string().min(1).max(20_000),
              variables: z.array(variableNameSchema).max(50),
              constants: z.record(variableNameSchema, z.string().max(4000)).default({}),
              params: versionParamsSchema.default(DEFAULT_VERSION_PARAMS),
              changeDescription: z.string().max(500).default(''),
            }),
          )
          .min(1),
      }),
    )
    .max(100)
    .refine((ts) => new Set(ts.map((t) => t.name)).size === ts.length, {
      message: 'Two templates have the same name',
    }),
});

const sameContent = (a: VersionContent, b: VersionContent) =>
  a.body === b.body &&
  JSON.stringify(a.variables) === JSON.stringify(b.variables) &&
  JSON.stringify(a.constants) === JSON.stringify(b.constants) &&
  JSON.stringify(a.params) === JSON.stringify(b.params);

/**
 * Prompt templates and their versions: versions are immutable, so saving, rolling back,
 * promoting and importing all add a version; activating only moves the active mark. Every
 * version is checked before it is saved (placeholders declared, declared variables filled).
 */
export class PromptService {
  constructor(private readonly d: { prompts: PromptRepository }) {}

  listTemplates(): Promise<PromptTemplate[]> {
    return this.d.prompts.listTemplates();
  }

  async template(id: string): Promise<PromptTemplate> {
    const t = await this.d.prompts.getTemplate(id);
    if (!t) throw new AppError('not_found', `No prompt template with id "${id}"`);
    return t;
  }

  async detail(id: string): Promise<PromptTemplateDetail> {
    const t = await this.template(id);
    return {
      ...t,
      versions: await this.d.prompts.listVersions(id),
      experiment: await this.d.prompts.getExperiment(id),
    };
  }

  /** A template's versions, newest first (`not_found` for an unknown template). */
  async versions(templateId: string, limit?: number): Promise<PromptVersion[]> {
    await this.template(templateId);
    return this.d.prompts.listVersions(templateId, limit);
  }

  async version(id: string): Promise<PromptVersion> {
    const v = await this.d.prompts.getVersion(id);
    if (!v) throw new AppError('not_found', `No prompt version with id "${id}"`);
    return v;
  }

  async createTemplate(
    input: ChannelParsedInput<'prompts.templates.create'>,
  ): Promise<PromptTemplateDetail> {
    if (await this.d.prompts.templateByName(input.name)) {
      throw new AppError('conflict', `A prompt template is already named "${input.name}"`);
    }
    const content = {
      body: input.body,
      variables: input.variables,
      constants: input.constants ?? {},
      params: mergeParams(DEFAULT_VERSION_PARAMS, input.params),
    };
    assertValidContent(content);
    const { templateId } = await this.d.prompts.createTemplate(
      { name: input.name, description: input.description ?? '' },
      { ...content, changeDescription: 'First version', createdBy: 'user' },
    );
    return this.detail(templateId);
  }

  /**
   * A draft completed from the template's active version: variables, constants and
   * parameters it leaves out are the active version's.
   */
  async completeDraft(draft: {
    templateId: string;
    body: string;
    variables?: string[];
    constants?: Record<string, string>;
    params?: VersionParamsPatch;
  }): Promise<VersionContent> {
    await this.template(draft.templateId);
    const base = await this.d.prompts.activeVersion(draft.templateId);
    return {
      body: draft.body,
      variables: draft.variables ?? base?.variables ?? [],
      constants: draft.constants ?? base?.constants ?? {},
      params: mergeParams(base?.params ?? DEFAULT_VERSION_PARAMS, draft.params),
    };
  }

  async createVersion(
    input: ChannelParsedInput<'prompts.versions.create'>,
  ): Promise<PromptVersion> {
    const content = await this.completeDraft(input);
    assertValidContent(content);
    return this.d.prompts.createVersion(
      {
        templateId: input.templateId,
        ...content,
        changeDescription: input.changeDescription ?? '',
        createdBy: 'user',
      },
      input.activate ?? false,
    );
  }

  async activate(versionId: string): Promise<PromptVersion> {
    const v = await this.d.prompts.activate(versionId);
    if (!v) throw new AppError('not_found', `No prompt version with id "${versionId}"`);
    return v;
  }

  /**
   * Restores an earlier version as a new one (history is never rewritten): the given
   * version, or the one before the active version.
   */
  async rollback(input: ChannelParsedInput<'prompts.rollback'>): Promise<PromptVersion> {
    const versions = await this.d.prompts.listVersions(input.templateId);
    if (!versions.length) await this.template(input.templateId);
    const active = versions.find((v) => v.active);
    const target = input.versionId
      ? versions.find((v) => v.id === input.versionId)
      : versions.find((v) => active && v.number < active.number);
    if (!target) {
      throw new AppError(
        input.versionId ? 'not_found' : 'conflict',
        input.versionId
          ? `Version "${input.versionId}" is not a version of this template`
          : 'There is no earlier version to roll back to',
      );
    }
    return this.d.prompts.createVersion(
      {
        templateId: input.templateId,
        body: target.body,
        variables: target.variables,
        constants: target.constants,
        params: target.params,
        changeDescription: input.changeDescription || `Rollback to version ${target.number}`,
        createdBy: 'rollback',
        sourceVersionId: target.id,
      },
      true,
    );
  }

  /** A version (or the template's active one) filled in with the given variables. */
  async render(input: ChannelParsedInput<'prompts.render'>): Promise<{ text: string }> {
    const v = input.versionId
      ? await this.version(input.versionId)
      : await this.d.prompts.activeVersion((await this.template(input.templateId!)).id);
    if (!v) throw new AppError('not_found', 'The template has no active version');
    return { text: renderOrInvalid(v.body, v.variables, { ...v.constants, ...input.variables }) };
  }

  experiment(templateId: string): Promise<PromptExperiment | null> {
    return this.d.prompts.getExperiment(templateId);
  }

  /**
   * Starts an experiment: every variant must be a version of the template, and the active
   * version must be one of them (candidates are judged against it).
   */
  async setExperiment(
    input: ChannelParsedInput<'prompts.experiment.set'>,
  ): Promise<PromptExperiment> {
    const versions = await this.d.prompts.listVersions(input.templateId);
    if (!versions.length) await this.template(input.templateId);
    const ids = new Set(versions.map((v) => v.id));
    const foreign = input.variants.filter((v) => !ids.has(v.versionId)).map((v) => v.versionId);
    if (foreign.length) {
      throw new AppError('invalid_input', `Not versions of this template: ${foreign.join(', ')}`);
    }
    const active = versions.find((v) => v.active);
    if (!active || !input.variants.some((v) => v.versionId === active.id)) {
      throw new AppError(
        'invalid_input',
        'Include the active version: candidates are measured against it',
      );
    }
    return this.d.prompts.setExperiment({
      templateId: input.templateId,
      mode: input.mode,
      variants: input.variants,
      rollback: { ...DEFAULT_ROLLBACK_POLICY, ...input.rollback },
    });
  }

  async stopExperiment(templateId: string): Promise<{ stopped: boolean }> {
    return { stopped: await this.d.prompts.deleteExperiment(templateId) };
  }

  /** Makes a variant the active version and ends the experiment. */
  async promote(versionId: string): Promise<PromptVersion> {
    const v = await this.version(versionId);
    const experiment = await this.d.prompts.getExperiment(v.templateId);
    if (!experiment?.variants.some((x) => x.versionId === versionId)) {
      throw new AppError('conflict', 'Only a variant of the running experiment can be promoted');
    }
    const activated = await this.activate(versionId);
    await this.d.prompts.deleteExperiment(v.templateId);
    return activated;
  }

  async exportAll(): Promise<PromptsExport> {
    const templates = await this.d.prompts.listTemplates();
    return {
      format: 'hsi-prompts',
      version: 1,
      exportedAt: nowIso(),
      templates: await Promise.all(
        templates.map(async (t) => ({
          name: t.name,
          description: t.description,
          versions: (await this.d.prompts.listVersions(t.id)).reverse().map((v) => ({
            number: v.number,
            active: v.active,
            body: v.body,
            variables: v.variables,
            constants: v.constants,
            params: v.params,
            changeDescription: v.changeDescription,
          })),
        })),
      ),
    };
  }

  /**
   * Imports each template's active version (its last when none is marked): a new template,
   * or a new version of the same-named template, never activated (measure it first) and never
   * overwriting anything. With `preview`, only says what would happen, with diffs.
   */
  async import(input: ChannelParsedInput<'prompts.import'>): Promise<PromptImportResult> {
    let doc: unknown;
    try {
      doc = JSON.parse(input.json);
    } catch (err) {
      throw new AppError('invalid_input', `The file is not JSON: ${(err as Error).message}`);
    }
    const parsed = exportSchema.safeParse(doc);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new AppError(
        'invalid_input',
        `Not a prompts export: ${issue ? `${issue.path.join('.')}: ${issue.message}` : ''}`,
      );
    }
    const plan: {
      item: ImportPlanItem;
      content: VersionContent;
      existingId?: string;
      description: string;
      why: string;
    }[] = [];
    for (const t of parsed.data.templates) {
      const chosen = t.versions.find((v) => v.active) ?? t.versions[t.versions.length - 1]!;
      const content: VersionContent = {
        body: chosen.body,
        variables: chosen.variables,
        constants: chosen.constants,
        params: chosen.params,
      };
      assertValidContent(content, `"${t.name}" version ${chosen.number}`);
      const existing = await this.d.prompts.templateByName(t.name);
      const current = existing && (await this.d.prompts.activeVersion(existing.id));
      const versions = existing ? await this.d.prompts.listVersions(existing.id) : [];
      const unchanged = versions.some((v) => sameContent(v, content));
      plan.push({
        item: {
          template: t.name,
          action: !existing ? 'new_template' : unchanged ? 'unchanged' : 'new_version',
          diff: createTwoFilesPatch(
            current ? `${t.name} v${current.number} (active)` : '(none)',
            `${t.name} (imported v${chosen.number})`,
            current?.body ?? '',
            content.body,
          ),
          paramsChanged: current
            ? (Object.keys(content.params) as (keyof VersionParams)[]).filter(
                (k) => JSON.stringify(current.params[k]) !== JSON.stringify(content.params[k]),
              )
            : [],
        },
        content,
        existingId: existing?.id,
        description: t.description,
        why: chosen.changeDescription,
      });
    }
    const createdVersionIds: string[] = [];
    if (!input.preview) {
      for (const p of plan) {
        const why = `Imported${p.why ? `: ${p.why}` : ''}`;
        if (p.item.action === 'new_template') {
          const { version } = await this.d.prompts.createTemplate(
            { name: p.item.template, description: p.description },
            { ...p.content, changeDescription: why, createdBy: 'import' },
          );
          createdVersionIds.push(version.id);
        } else if (p.item.action === 'new_version') {
          const v = await this.d.prompts.createVersion(
            {
              templateId: p.existingId!,
              ...p.content,
              changeDescription: why,
              createdBy: 'import',
            },
            false,
          );
          createdVersionIds.push(v.id);
        }
      }
    }
    return { applied: !input.preview, items: plan.map((p) => p.item), createdVersionIds };
  }
}
