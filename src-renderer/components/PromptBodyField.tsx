/**
 * The prompt's text, with the same text beneath it where every `{{placeholder}}` is marked:
 * declared ones in one style, undeclared or malformed ones as errors; and the draft's
 * problems, computed as it is typed, listed next to it.
 */
import { useController, useFormContext, useWatch } from 'react-hook-form';
import type { TemplateIssue } from '../../src-shared/prompts';
import { plural } from '../format';
import type { PromptForm } from '../prompt-form';
import { bodySegments, draftDeclarations } from '../prompt-form';

export const PROMPT_ISSUES_ID = 'prompt-issues';

const MARK_TITLES = {
  declared: 'Declared: filled in when the prompt runs',
  undeclared: 'Not declared: tick it below or add a constant with this name',
  invalid: 'Not a variable name',
} as const;

export function PromptBodyField() {
  const { control } = useFormContext<PromptForm>();
  const { field } = useController({ name: 'body', control });
  const builtIns = useWatch({ control, name: 'builtIns' });
  const constants = useWatch({ control, name: 'constants' });
  const { variables } = draftDeclarations({ builtIns, constants });
  const segments = bodySegments(field.value, variables);
  const marks = segments.filter((s) => s.kind !== 'text');
  const wrong = marks.filter((s) => s.kind !== 'declared').length;

  return (
    <div className="field prompt-body">
      <label htmlFor="prompt-body">Prompt text</label>
      <textarea
        id="prompt-body"
        rows={16}
        spellCheck={false}
        value={field.value}
        onChange={field.onChange}
        onBlur={field.onBlur}
        aria-invalid={wrong > 0 || undefined}
        aria-describedby={`prompt-body-hint ${PROMPT_ISSUES_ID}`}
      />
      <p id="prompt-body-hint" className="field-hint">
        Write <code>{'{{name}}'}</code> where a value goes: a built-in variable or a constant,
        declared below. The model is also told to answer in the response schema's JSON.
      </p>
      <p className="prompt-preview-caption muted">
        {plural(marks.length, 'placeholder')}
        {wrong > 0 ? `, ${wrong} not declared or malformed` : ', all declared'}
      </p>
      <pre
        role="region"
        className="prompt-preview"
        data-testid="prompt-preview"
        tabIndex={0}
        aria-label="Prompt preview with its placeholders"
      >
        {segments.map((s, i) =>
          s.kind === 'text' ? (
            s.text
          ) : (
            <mark key={i} className={`ph ph-${s.kind}`} title={MARK_TITLES[s.kind]}>
              {s.text}
              {s.kind !== 'declared' && <span className="visually-hidden"> (not declared)</span>}
            </mark>
          ),
        )}
      </pre>
    </div>
  );
}

/** The draft's problems as typed: what would stop it being saved, each naming its variables. */
export function PromptIssues({ issues }: { issues: readonly TemplateIssue[] }) {
  return (
    <div id={PROMPT_ISSUES_ID} className="prompt-issues" aria-live="polite">
      {issues.length === 0 ? (
        <p className="status-ok">No problems: every placeholder is declared and filled in.</p>
      ) : (
        <ul className="prompt-issue-list" aria-label="Problems with this prompt">
          {issues.map((issue) => (
            <li key={issue.code} className="field-error" data-code={issue.code}>
              {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
