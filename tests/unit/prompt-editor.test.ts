import { describe, expect, it } from 'vitest';
import type { PromptVersion } from '../../src-shared/prompts';
import { DEFAULT_VERSION_PARAMS } from '../../src-shared/prompts';
import { experimentFormFrom, experimentFormSchema } from '../../src-renderer/experiment-form';
import { sideBySide, unifiedLines } from '../../src-renderer/prompt-diff';
import {
  bodySegments,
  draftIssues,
  promptFormFrom,
  promptFormSchema,
  readDraft,
} from '../../src-renderer/prompt-form';

function version(over: Partial<PromptVersion> = {}): PromptVersion {
  return {
    id: 'v1',
    templateId: 't',
    number: 1,
    body: 'Camera {{camera_name}}: {{detections}}',
    variables: ['camera_name', 'detections'],
    constants: {},
    params: DEFAULT_VERSION_PARAMS,
    active: true,
    changeDescription: '',
    createdBy: 'user',
    sourceVersionId: null,
    textOnlyReason: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('prompt editor form', () => {
  it('declares the ticked built-ins and each constant; an undeclared placeholder is an issue', () => {
    const form = promptFormFrom(version());
    expect(draftIssues(form)).toEqual([]);
    const typed = { ...form, body: `${form.body}\nNotes: {{house_notes}} {{Bad Name}}` };
    expect(draftIssues(typed).map((i) => [i.code, i.variables])).toEqual([
      ['invalid_name', ['Bad Name']],
      ['undeclared', ['house_notes']],
    ]);
    const declared = {
      ...typed,
      body: `${form.body}\nNotes: {{house_notes}}`,
      constants: [{ name: 'house_notes', value: 'Dog called Rex' }],
    };
    expect(draftIssues(declared)).toEqual([]);
    expect(bodySegments(typed.body, ['camera_name', 'detections']).map((s) => s.kind)).toEqual([
      'text',
      'declared',
      'text',
      'declared',
      'text',
      'undeclared',
      'text',
      'invalid',
    ]);
  });

  it('makes the version content with numbers parsed, and names a bad constant under its row', () => {
    const form = promptFormFrom(version());
    const schema = promptFormSchema(DEFAULT_VERSION_PARAMS);
    const out = schema.parse({
      ...form,
      body: 'Hi {{camera_name}} {{house_notes}}',
      builtIns: ['detections', 'camera_name'],
      constants: [{ name: ' house_notes ', value: 'Gate' }],
      params: { ...form.params, temperature: '0.7', responseSchema: 'basic' },
      changeDescription: '  notes ',
    });
    expect(out).toMatchObject({
      variables: ['camera_name', 'detections', 'house_notes'],
      constants: { house_notes: 'Gate' },
      params: { temperature: 0.7, maxTokens: 1024, responseSchema: { kind: 'basic' } },
      changeDescription: 'notes',
    });
    const bad = schema.safeParse({
      ...form,
      constants: [{ name: 'camera_id', value: 'x' }],
      params: { ...form.params, temperature: '3', maxTokens: 'lots' },
    });
    expect(bad.error!.issues.map((i) => i.path.join('.'))).toEqual([
      'constants.0.name',
      'params.maxTokens',
    ]);
    const range = schema.safeParse({ ...form, params: { ...form.params, temperature: '3' } });
    expect(range.error!.issues.map((i) => i.path.join('.'))).toEqual(['params.temperature']);
    expect(readDraft({ ...form, body: '{{nope}}' }, null)).toEqual({
      ok: false,
      problems: ['Used but not declared: nope'],
    });
  });

  it('an experiment always includes the active version and needs another one', () => {
    const versions = [version({ id: 'v2', number: 2 }), version({ active: false })];
    const form = experimentFormFrom(versions, null);
    const schema = experimentFormSchema('t', 'v2');
    expect(schema.safeParse(form).error!.issues.map((i) => i.path.join('.'))).toEqual(['variants']);
    const out = schema.parse({
      ...form,
      mode: 'shadow',
      variants: form.variants.map((v) => ({ ...v, included: true })),
    });
    expect(out).toMatchObject({
      templateId: 't',
      mode: 'shadow',
      variants: [
        { versionId: 'v2', weight: 1 },
        { versionId: 'v1', weight: 1 },
      ],
      rollback: { parseFailureMargin: 0.2, latencyMargin: 0.5, minRuns: 10 },
    });
  });
});

describe('prompt diffs', () => {
  it('pairs changed lines side by side and keeps line numbers per version', () => {
    const rows = sideBySide('a\nb\nc\n', 'a\nB\nc\nd\n');
    expect(
      rows.map((r) => [
        r.left && `${r.left.line}${r.left.kind[0]}`,
        r.right && `${r.right.line}${r.right.kind[0]}`,
      ]),
    ).toEqual([
      ['1s', '1s'],
      ['2r', '2a'],
      ['3s', '3s'],
      [null, '4a'],
    ]);
    expect(unifiedLines('--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n z\n').map((l) => l.kind)).toEqual([
      'header',
      'header',
      'hunk',
      'removed',
      'added',
      'same',
    ]);
  });
});
