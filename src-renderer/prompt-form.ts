/**
 * The Prompts page's editor form: a new version's content as the inputs hold it (numbers as
 * text, constants as name/value rows, the built-in variables it declares as a checklist), the
 * schema that turns it into the version's content, and what the editor shows while typing:
 * the placeholders of the body marked declared or not, and `templateIssues` of the draft.
 */
import { z } from 'zod';
import type { PromptVersion, TemplateIssue, VersionParams } from '../src-shared/prompts';
import {
  BUILT_IN_VARIABLES,
  DEFAULT_RESPONSE_LIMITS,
  DEFAULT_VERSION_PARAMS,
  placeholders,
  templateIssues,
  variableNameSchema,
  versionParamsSchema,
} from '../src-shared/prompts';
import { typedNumber } from './forms/numbers';

const promptForm = z.object({
  body: z.string(),
  /** The built-in variables the version declares. */
  builtIns: z.array(z.string()),
  /** Variables of its own with a fixed value. */
  constants: z.array(z.object({ name: z.string(), value: z.string() })),
  params: z.object({
    model: z.string(),
    temperature: z.string(),
    maxTokens: z.string(),
    responseSchema: z.enum(['structured', 'basic']),
    vision: z.object({ enabled: z.boolean(), maxImages: z.string(), maxSide: z.string() }),
  }),
  changeDescription: z.string(),
});

export type PromptForm = z.input<typeof promptForm>;

/** A version's content, complete: what `prompts.versions.create` and a playground draft send. */
export interface DraftContent {
  body: string;
  variables: string[];
  constants: Record<string, string>;
  params: VersionParams;
}

export interface PromptFormOutput extends DraftContent {
  changeDescription: string;
}

const BUILT_IN = new Set<string>(BUILT_IN_VARIABLES);

/** The editor's values for a version (the defaults when there is none). */
export function promptFormFrom(v: PromptVersion | null): PromptForm {
  const p = v?.params ?? DEFAULT_VERSION_PARAMS;
  return {
    body: v?.body ?? '',
    builtIns: (v?.variables ?? []).filter((name) => BUILT_IN.has(name)),
    constants: Object.entries(v?.constants ?? {}).map(([name, value]) => ({ name, value })),
    params: {
      model: p.model,
      temperature: String(p.temperature),
      maxTokens: String(p.maxTokens),
      responseSchema: p.responseSchema.kind,
      vision: {
        enabled: p.vision.enabled,
        maxImages: String(p.vision.maxImages),
        maxSide: String(p.vision.maxSide),
      },
    },
    changeDescription: '',
  };
}

/**
 * What the draft declares, as typed so far: the checked built-ins in their listed order, then
 * each named constant (rows without a name are left out until they get one).
 */
export function draftDeclarations(f: Pick<PromptForm, 'builtIns' | 'constants'>): {
  variables: string[];
  constants: Record<string, string>;
} {
  const constants: Record<string, string> = {};
  for (const row of f.constants) {
    const name = row.name.trim();
    if (name) constants[name] = row.value;
  }
  const builtIns = BUILT_IN_VARIABLES.filter((name) => f.builtIns.includes(name));
  const own = Object.keys(constants).filter((name) => !BUILT_IN.has(name));
  return { variables: [...builtIns, ...own], constants };
}

/** The problems of the draft as typed (the same check the main process makes on save). */
export function draftIssues(
  f: Pick<PromptForm, 'body' | 'builtIns' | 'constants'>,
): TemplateIssue[] {
  const { variables, constants } = draftDeclarations(f);
  return templateIssues(f.body, variables, constants);
}

const outputSchema = z.object({
  body: z.string().min(1, 'The prompt is empty').max(20_000),
  variables: z.array(variableNameSchema).max(50, 'At most 50 variables'),
  constants: z.record(z.string(), z.string()),
  params: versionParamsSchema,
  changeDescription: z.string().max(500, 'At most 500 characters'),
});

/**
 * The form → the version's content (numbers parsed, constant names checked under their row).
 * The response schema keeps `base`'s limits while its kind is unchanged.
 */
export function promptFormSchema(base: VersionParams | null) {
  return promptForm
    .transform((f, ctx): PromptFormOutput => {
      const seen = new Set<string>();
      f.constants.forEach((row, i) => {
        const name = row.name.trim();
        const path = ['constants', i, 'name'];
        let message: string | null = null;
        if (!name) message = 'Name the constant (or remove the row)';
        else if (!variableNameSchema.safeParse(name).success)
          message = 'Lower-case letters, digits and _, starting with a letter';
        else if (BUILT_IN.has(name)) message = `${name} is built in: tick it above instead`;
        else if (seen.has(name)) message = `${name} is given twice`;
        if (message) ctx.addIssue({ code: 'custom', path, message });
        seen.add(name);
        if (row.value.length > 4000) {
          ctx.addIssue({
            code: 'custom',
            path: ['constants', i, 'value'],
            message: 'At most 4000 characters',
          });
        }
      });
      const kind = f.params.responseSchema;
      const responseSchema: VersionParams['responseSchema'] =
        base?.responseSchema.kind === kind
          ? base.responseSchema
          : kind === 'basic'
            ? { kind: 'basic' }
            : { kind: 'structured', limits: DEFAULT_RESPONSE_LIMITS };
      const at = (...path: string[]) => ['params', ...path];
      return {
        body: f.body,
        ...draftDeclarations(f),
        params: {
          model: f.params.model.trim(),
          temperature: typedNumber(f.params.temperature, at('temperature'), ctx),
          maxTokens: typedNumber(f.params.maxTokens, at('maxTokens'), ctx),
          responseSchema,
          vision: {
            enabled: f.params.vision.enabled,
            maxImages: typedNumber(f.params.vision.maxImages, at('vision', 'maxImages'), ctx),
            maxSide: typedNumber(f.params.vision.maxSide, at('vision', 'maxSide'), ctx),
          },
        },
        changeDescription: f.changeDescription.trim(),
      };
    })
    .pipe(outputSchema as z.ZodType<PromptFormOutput, PromptFormOutput>);
}

/** A stretch of a body: plain text, or a placeholder marked by whether the draft declares it. */
export interface BodySegment {
  text: string;
  kind: 'text' | 'declared' | 'undeclared' | 'invalid';
  name?: string;
}

/** The body cut at its placeholders, each marked against the declared variables. */
export function bodySegments(body: string, declared: readonly string[]): BodySegment[] {
  const names = new Set(declared);
  const out: BodySegment[] = [];
  let at = 0;
  for (const p of placeholders(body)) {
    if (p.start > at) out.push({ text: body.slice(at, p.start), kind: 'text' });
    out.push({
      text: body.slice(p.start, p.end),
      kind: !p.valid ? 'invalid' : names.has(p.name) ? 'declared' : 'undeclared',
      name: p.name,
    });
    at = p.end;
  }
  if (at < body.length) out.push({ text: body.slice(at), kind: 'text' });
  return out;
}

/** The editor's draft as the playground sends it, or what keeps it from being run. */
export type DraftRead = { ok: true; draft: DraftContent } | { ok: false; problems: string[] };

export function readDraft(f: PromptForm, base: VersionParams | null): DraftRead {
  const issues = draftIssues(f);
  if (issues.length) return { ok: false, problems: issues.map((i) => i.message) };
  const parsed = promptFormSchema(base).safeParse(f);
  if (!parsed.success) {
    return { ok: false, problems: parsed.error.issues.map((i) => i.message) };
  }
  const { body, variables, constants, params } = parsed.data;
  return { ok: true, draft: { body, variables, constants, params } };
}
