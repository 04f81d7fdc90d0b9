/**
 * Prompt templates: `{{variable}}` placeholders, the variables a version declares, the
 * model parameters and response schema it is versioned with. Pure, so the editor checks a
 * draft exactly as the main process does before saving it.
 */
import { z } from 'zod';
import { RISK_LEVELS } from './domain';
import type { RiskLevel } from './domain';

/** Variables every analysis can fill in from the batch, the camera and the calibration. */
export const BUILT_IN_VARIABLES = [
  'camera_name',
  'camera_id',
  'start_time',
  'end_time',
  'time_context',
  'detections',
  'zones',
  'recent_activity',
  'calibration_hint',
] as const;
export type BuiltInVariable = (typeof BUILT_IN_VARIABLES)[number];

export const VARIABLE_DESCRIPTIONS: Record<BuiltInVariable, string> = {
  camera_name: "The camera's name",
  camera_id: "The camera's id",
  start_time: 'First detection of the batch (ISO time)',
  end_time: 'Last detection of the batch (ISO time)',
  time_context: 'day, dusk or night, with the local time, in your time zone',
  detections: 'One line per detection: time, class, confidence, box, zones',
  zones: "The camera's zones with their kind and weight",
  recent_activity: "The camera's last events: time, level, classes, summary",
  calibration_hint: 'How your calibration currently reads scores (thresholds, factors)',
};

export const variableNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'Variable names are lower-case letters, digits and _');

/** One `{{ name }}` in a body: where it is and what it names. */
export interface Placeholder {
  name: string;
  start: number;
  end: number;
  /** False when what sits between the braces is not a variable name. */
  valid: boolean;
}

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function placeholders(body: string): Placeholder[] {
  const out: Placeholder[] = [];
  for (const m of body.matchAll(PLACEHOLDER)) {
    const name = m[1] ?? '';
    out.push({
      name,
      start: m.index,
      end: m.index + m[0].length,
      valid: variableNameSchema.safeParse(name).success,
    });
  }
  return out;
}

/** A problem with a draft, as the editor shows it inline. */
export interface TemplateIssue {
  code: 'undeclared' | 'invalid_name' | 'no_value' | 'unknown_constant' | 'empty';
  message: string;
  variables: string[];
}

/**
 * What is wrong with a version before it is saved: placeholders it does not declare,
 * declared variables nothing fills in (neither built in nor given a constant value),
 * constants it does not declare, malformed placeholders.
 */
export function templateIssues(
  body: string,
  variables: readonly string[],
  constants: Readonly<Record<string, string>> = {},
): TemplateIssue[] {
  const issues: TemplateIssue[] = [];
  if (!body.trim()) issues.push({ code: 'empty', message: 'The prompt is empty', variables: [] });
  const found = placeholders(body);
  const bad = [...new Set(found.filter((p) => !p.valid).map((p) => p.name))];
  if (bad.length) {
    issues.push({
      code: 'invalid_name',
      message: `Not a variable name: ${bad.map((b) => `{{${b}}}`).join(', ')}`,
      variables: bad,
    });
  }
  const declared = new Set(variables);
  const undeclared = [
    ...new Set(found.filter((p) => p.valid && !declared.has(p.name)).map((p) => p.name)),
  ];
  if (undeclared.length) {
    issues.push({
      code: 'undeclared',
      message: `Used but not declared: ${undeclared.join(', ')}`,
      variables: undeclared,
    });
  }
  const builtIn = new Set<string>(BUILT_IN_VARIABLES);
  const noValue = variables.filter((v) => !builtIn.has(v) && !Object.hasOwn(constants, v));
  if (noValue.length) {
    issues.push({
      code: 'no_value',
      message: `Declared but never filled in (not built in, no value given): ${noValue.join(', ')}`,
      variables: noValue,
    });
  }
  const unknown = Object.keys(constants).filter((k) => !declared.has(k) || builtIn.has(k));
  if (unknown.length) {
    issues.push({
      code: 'unknown_constant',
      message: `Values given for variables that are not declared or are built in: ${unknown.join(', ')}`,
      variables: unknown,
    });
  }
  return issues;
}

/** Rendering failed: the variables it lacked and the ones it was given but does not declare. */
export class RenderError extends Error {
  constructor(
    readonly missing: string[],
    readonly unknown: string[],
  ) {
    super(
      [
        missing.length ? `Missing variables: ${missing.join(', ')}` : '',
        unknown.length ? `Unknown variables: ${unknown.join(', ')}` : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
    this.name = 'RenderError';
  }
}

/**
 * Fills every placeholder. Every declared variable needs a value and every value must be
 * declared: a typo on either side is an error, not a silent blank.
 */
export function renderTemplate(
  body: string,
  declared: readonly string[],
  values: Readonly<Record<string, string>>,
): string {
  const declaredSet = new Set(declared);
  const missing = declared.filter((v) => !Object.hasOwn(values, v));
  const unknown = Object.keys(values).filter((k) => !declaredSet.has(k));
  const used = placeholders(body).filter((p) => p.valid && !declaredSet.has(p.name));
  for (const p of used) if (!unknown.includes(p.name)) missing.push(p.name);
  if (missing.length || unknown.length) throw new RenderError([...new Set(missing)], unknown);
  return body.replace(PLACEHOLDER, (whole, name: string) =>
    declaredSet.has(name) && Object.hasOwn(values, name) ? values[name]! : whole,
  );
}

// --- what a version asks the model for -------------------------------------------------

export const responseLimitsSchema = z
  .strictObject({
    titleMax: z.int().min(10).max(200).default(80),
    summaryMax: z.int().min(20).max(4000).default(600),
    observationsMin: z.int().min(0).max(20).default(3),
    observationsMax: z.int().min(1).max(50).default(8),
    reasoningMax: z.int().min(50).max(8000).default(2000),
    otherConcernsMax: z.int().min(0).max(20).default(5),
  })
  .refine((l) => l.observationsMin <= l.observationsMax, {
    message: 'At least as many observations allowed as required',
    path: ['observationsMax'],
  });
export type ResponseLimits = z.output<typeof responseLimitsSchema>;
export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = responseLimitsSchema.parse({});

/**
 * `structured`: score, level, title, summary, observations, reasoning, confidence, other
 * concerns, each within limits. `basic`: the four fields the first built-in prompt asked for.
 */
export const responseSchemaSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('basic') }),
  z.strictObject({
    kind: z.literal('structured'),
    limits: responseLimitsSchema.default(DEFAULT_RESPONSE_LIMITS),
  }),
]);
export type ResponseSchemaSpec = z.output<typeof responseSchemaSpecSchema>;

export const visionSchema = z.strictObject({
  enabled: z.boolean().default(false),
  /** The best snapshot first, then others of the batch. */
  maxImages: z.int().min(1).max(4).default(1),
  /** Longest side after downscaling, in pixels. */
  maxSide: z.int().min(224).max(1536).default(768),
});

export const versionParamsSchema = z.strictObject({
  /** Empty: the model chosen in the LLM settings. */
  model: z.string().max(200).default(''),
  temperature: z.number().min(0).max(2).default(0.2),
  maxTokens: z.int().min(100).max(8192).default(1024),
  responseSchema: responseSchemaSpecSchema.default({
    kind: 'structured',
    limits: DEFAULT_RESPONSE_LIMITS,
  }),
  vision: visionSchema.default({ enabled: false, maxImages: 1, maxSide: 768 }),
});
export type VersionParams = z.output<typeof versionParamsSchema>;
/** What a new version changes of the parameters it starts from (nothing defaulted here). */
export const versionParamsPatchSchema = z.strictObject({
  model: z.string().max(200).optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.int().min(100).max(8192).optional(),
  responseSchema: responseSchemaSpecSchema.optional(),
  vision: z
    .strictObject({
      enabled: z.boolean().optional(),
      maxImages: z.int().min(1).max(4).optional(),
      maxSide: z.int().min(224).max(1536).optional(),
    })
    .optional(),
});
export type VersionParamsPatch = z.output<typeof versionParamsPatchSchema>;

/** `base` with `patch` laid over it (vision merged field by field). */
export function mergeParams(base: VersionParams, patch: VersionParamsPatch = {}): VersionParams {
  return versionParamsSchema.parse({
    ...base,
    ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    vision: { ...base.vision, ...patch.vision },
  });
}
export type VersionParamsInput = z.input<typeof versionParamsSchema>;
export const DEFAULT_VERSION_PARAMS: VersionParams = versionParamsSchema.parse({});

/** The model's answer as the app keeps it, whatever schema asked for it. */
export interface LlmAnswer {
  riskScore: number;
  riskLevel: RiskLevel | null;
  summary: string;
  reasoning: string;
  title: string | null;
  observations: string[];
  confidence: number | null;
  otherConcerns: string[];
}

/**
 * The zod schema answers are validated with. `strict` is the shape sent to the server as JSON
 * Schema; the parser also accepts numbers sent as strings ("77"). Anything missing or out of
 * range is a parse failure.
 */
export function answerSchema(spec: ResponseSchemaSpec, strict = false) {
  const score = strict ? z.int().min(0).max(100) : z.coerce.number().int().min(0).max(100);
  const object = strict ? z.strictObject : z.object;
  if (spec.kind === 'basic') {
    return object({
      risk_score: strict ? score : z.coerce.number().finite().min(0).max(100),
      risk_level: strict ? z.enum(RISK_LEVELS) : z.enum(RISK_LEVELS).optional().catch(undefined),
      summary: z.string().min(1).max(2000),
      reasoning: strict ? z.string().max(8000) : z.string().max(8000).default(''),
    });
  }
  const l = spec.limits;
  const line = z.string().min(1).max(300);
  return object({
    risk_score: score,
    risk_level: z.enum(RISK_LEVELS),
    title: z.string().min(1).max(l.titleMax),
    summary: z.string().min(1).max(l.summaryMax),
    observations: z.array(line).min(l.observationsMin).max(l.observationsMax),
    reasoning: z.string().min(1).max(l.reasoningMax),
    confidence: strict ? z.number().min(0).max(1) : z.coerce.number().min(0).max(1),
    other_concerns: z.array(line).max(l.otherConcernsMax),
  });
}

/** A validated answer in the app's own shape. */
export function toLlmAnswer(value: Record<string, unknown>): LlmAnswer {
  const num = (v: unknown) => (typeof v === 'number' ? v : null);
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : []);
  return {
    riskScore: Math.round(Number(value.risk_score)),
    riskLevel: (value.risk_level as RiskLevel | undefined) ?? null,
    summary: String(value.summary),
    reasoning: typeof value.reasoning === 'string' ? value.reasoning : '',
    title: typeof value.title === 'string' ? value.title : null,
    observations: strings(value.observations),
    confidence: num(value.confidence),
    otherConcerns: strings(value.other_concerns),
  };
}

// --- templates, versions, experiments as the API shows them ------------------------------

export const VERSION_AUTHORS = ['user', 'import', 'rollback', 'promotion', 'system'] as const;
export type VersionAuthor = (typeof VERSION_AUTHORS)[number];

export interface PromptVersion {
  id: string;
  templateId: string;
  number: number;
  body: string;
  variables: string[];
  constants: Record<string, string>;
  params: VersionParams;
  active: boolean;
  changeDescription: string;
  createdBy: VersionAuthor;
  /** A rollback or promotion names the version it copied. */
  sourceVersionId: string | null;
  /** Set when the model refused images: the version then runs text-only. */
  textOnlyReason: string | null;
  createdAt: string;
}

export interface PromptTemplate {
  id: string;
  name: string;
  description: string;
  /** The template live analysis uses (exactly one). */
  live: boolean;
  /** The active version's declared variables. */
  variables: string[];
  activeVersionId: string | null;
  versionCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface PromptTemplateDetail extends PromptTemplate {
  versions: PromptVersion[];
  experiment: PromptExperiment | null;
}

export const EXPERIMENT_MODES = ['split', 'shadow'] as const;
export type ExperimentMode = (typeof EXPERIMENT_MODES)[number];

export const rollbackPolicySchema = z.strictObject({
  /** Roll back when the candidate's parse-failure rate exceeds the active one's by this much. */
  parseFailureMargin: z.number().min(0).max(1).default(0.2),
  /** … or its p95 latency exceeds the active one's by this fraction (0.5 = 50 % slower). */
  latencyMargin: z.number().min(0).max(20).default(0.5),
  /** Judged only after this many runs of the candidate. */
  minRuns: z.int().min(1).max(10_000).default(10),
});
export type RollbackPolicy = z.output<typeof rollbackPolicySchema>;
export const DEFAULT_ROLLBACK_POLICY: RollbackPolicy = rollbackPolicySchema.parse({});

export interface ExperimentVariant {
  versionId: string;
  weight: number;
}

export interface PromptExperiment {
  templateId: string;
  mode: ExperimentMode;
  variants: ExperimentVariant[];
  rollback: RollbackPolicy;
  startedAt: string;
  updatedAt: string;
}

export interface PromptRollback {
  id: number;
  templateId: string;
  versionId: string;
  reason: 'parse_failures' | 'latency';
  detail: string;
  at: string;
}

/** Per version, over the runs of live analysis and shadow comparisons. */
export interface VersionAnalytics {
  versionId: string;
  number: number;
  active: boolean;
  uses: number;
  byKind: Record<string, number>;
  meanLatencyMs: number | null;
  p95LatencyMs: number | null;
  parseFailures: number;
  parseFailureRate: number | null;
  meanRisk: number | null;
  riskStdDev: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  feedback: {
    rated: number;
    agreed: number;
    falsePositivesScoredHigh: number;
    missedThreatsScoredLow: number;
  };
  /** `agreed / rated`, null with no feedback. */
  feedbackAgreement: number | null;
  /** Scores over time (one point per day) for the chart. */
  daily: { day: string; uses: number; meanRisk: number | null }[];
}

export const SHADOW_BUCKETS = ['≤ −20', '−20…−5', '−5…+5', '+5…+20', '≥ +20'] as const;

export interface ShadowComparison {
  candidateVersionId: string;
  activeVersionId: string;
  pairs: number;
  meanDiff: number | null;
  /** Candidate minus active, counted per bucket of `SHADOW_BUCKETS`. */
  distribution: number[];
}

export interface PromptAnalytics {
  templateId: string;
  from: string | null;
  to: string | null;
  versions: VersionAnalytics[];
  shadow: ShadowComparison[];
  rollbacks: PromptRollback[];
}

/** What one run of a version on an event gave (playground, evaluation report). */
export interface PromptRunResult {
  ok: boolean;
  error: string | null;
  answer: LlmAnswer | null;
  /** Model score under the current calibration (null when the run failed). */
  score: number | null;
  level: RiskLevel | null;
  latencyMs: number;
  promptTokens: number | null;
  completionTokens: number | null;
  raw: string | null;
  imagesSent: number;
  /** The model refused the images; the run was repeated text-only. */
  imagesRejected: string | null;
}

export interface PlaygroundResult {
  eventId: string;
  stored: {
    score: number;
    level: RiskLevel;
    summary: string;
    reasoning: string;
    scorer: string;
    promptVersionId: string | null;
  };
  result: PromptRunResult;
  delta: number | null;
  /** Playground runs of this version (or of this exact draft) so far. */
  runs: number;
  draftHash: string | null;
  renderedPrompt: string;
}

export interface EvaluationRow {
  eventId: string;
  feedback: string | null;
  storedScore: number;
  newScore: number | null;
  delta: number | null;
  parseOk: boolean;
  agrees: boolean | null;
}

export interface EvaluationReport {
  jobId: string;
  versionId: string;
  evaluated: number;
  parseFailures: number;
  rated: number;
  agreed: number;
  agreementRate: number | null;
  /** Agreement of the stored results with the same feedback, for comparison. */
  storedAgreementRate: number | null;
  meanDelta: number | null;
  levelChanges: number;
  rows: EvaluationRow[];
}

export interface PromptsExport {
  format: 'hsi-prompts';
  version: 1;
  exportedAt: string;
  templates: {
    name: string;
    description: string;
    versions: {
      number: number;
      active: boolean;
      body: string;
      variables: string[];
      constants: Record<string, string>;
      params: VersionParams;
      changeDescription: string;
    }[];
  }[];
}

export interface ImportPlanItem {
  template: string;
  /** `new`: a new template; `new_version`: a version added to an existing one; `same`: skipped. */
  action: 'new_template' | 'new_version' | 'unchanged';
  /** Unified diff of the body against the template's active version (empty when new). */
  diff: string;
  paramsChanged: string[];
}

export interface PromptImportResult {
  applied: boolean;
  items: ImportPlanItem[];
  createdVersionIds: string[];
}

/** One local OpenAI-compatible server found on loopback. */
export interface LocalLlmServer {
  name: string;
  baseUrl: string;
  models: string[];
}

/** `llm.test`: the model answered a one-word question. */
export interface LlmTestResult {
  model: string;
  /** From asking to the whole answer (a first call may include loading the model). */
  latencyMs: number;
  /** What it said (its thinking left out), at most 200 characters. */
  reply: string;
}

/** The colour the reference gives a score change: ≤ −5 calmer, ≥ +5 more alarming. */
export function deltaTone(delta: number | null): 'calmer' | 'alarming' | 'same' {
  if (delta === null) return 'same';
  if (delta <= -5) return 'calmer';
  if (delta >= 5) return 'alarming';
  return 'same';
}

/** The job kind of `prompts.evaluate` (`jobs.list { kind }`). */
export const EVALUATE_JOB_KIND = 'prompt-evaluate';

/** The reference asks for at least this many playground runs before a draft is promoted. */
export const PROMOTE_MIN_RUNS = 3;
