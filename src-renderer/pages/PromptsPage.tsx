import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useMemo } from 'react';
import { useForm } from 'react-hook-form';
import type { PromptTemplateDetail } from '../../src-shared/prompts';
import { ErrorNotice } from '../components/ErrorNotice';
import { PromptAnalyticsPanel } from '../components/PromptAnalytics';
import type { PromptEditorForm } from '../components/PromptEditor';
import { PromptEditor } from '../components/PromptEditor';
import { PromptEvaluatePanel } from '../components/PromptEvaluate';
import { PromptExperimentPanel } from '../components/PromptExperiment';
import { PromptHistory } from '../components/PromptHistory';
import { PromptImportExport } from '../components/PromptImportExport';
import { PromptPlayground } from '../components/PromptPlayground';
import { NewTemplateForm, PromptTemplateList } from '../components/PromptTemplatePicker';
import { SubNav } from '../components/SubNav';
import type { PromptForm, PromptFormOutput } from '../prompt-form';
import { promptFormFrom, promptFormSchema, readDraft } from '../prompt-form';
import { usePromptTemplate, usePromptTemplates } from '../queries';
import { routeHref, subPageFromHash, useHash } from '../routes';
import { usePromptsView } from '../stores/prompts-view';

const TABS = [
  { id: '', label: 'Editor' },
  { id: 'history', label: 'History' },
  { id: 'experiment', label: 'Experiment' },
  { id: 'analytics', label: 'Analytics' },
  { id: 'evaluate', label: 'Evaluate' },
  { id: 'playground', label: 'Playground' },
  { id: 'transfer', label: 'Import / export' },
] as const;

type Tab = (typeof TABS)[number]['id'];

function tabFrom(hash: string): Tab {
  const part = subPageFromHash(hash, 'prompts');
  return TABS.find((t) => t.id === part)?.id ?? '';
}

/**
 * One template's parts. The editor's draft lives here, so the playground can run it and it
 * survives moving between the parts; with no unsaved edits it follows the active version.
 */
function Workspace({ template, tab }: { template: PromptTemplateDetail; tab: Tab }) {
  const base = template.versions.find((v) => v.active) ?? template.versions[0] ?? null;
  const params = base?.params ?? null;
  const schema = useMemo(() => promptFormSchema(params), [params]);
  const form: PromptEditorForm = useForm<PromptForm, unknown, PromptFormOutput>({
    defaultValues: promptFormFrom(base),
    resolver: zodResolver(schema as never) as never,
  });
  // Compared by content: a refetch of the same active version leaves the editor alone.
  const baseValues = JSON.stringify(promptFormFrom(base));
  useEffect(() => {
    if (!form.formState.isDirty) form.reset(JSON.parse(baseValues) as PromptForm);
  }, [baseValues, form]);

  switch (tab) {
    case 'history':
      return <PromptHistory template={template} />;
    case 'experiment':
      return <PromptExperimentPanel template={template} />;
    case 'analytics':
      return <PromptAnalyticsPanel template={template} />;
    case 'evaluate':
      return <PromptEvaluatePanel template={template} />;
    case 'playground':
      return (
        <PromptPlayground
          template={template}
          readDraft={() => readDraft(form.getValues(), params)}
        />
      );
    case 'transfer':
      return <PromptImportExport />;
    default:
      return <PromptEditor form={form} template={template} base={base} />;
  }
}

function TemplateParts({ id, tab }: { id: string; tab: Tab }) {
  const query = usePromptTemplate(id);
  if (query.isError)
    return <ErrorNotice error={query.error} prefix="Could not load the template" />;
  if (!query.data) return <p className="muted">Loading the template…</p>;
  return <Workspace template={query.data} tab={tab} />;
}

/**
 * `#/prompts`: the templates (the live one first), and for the one picked: a new version in
 * the editor (`#/prompts`), its history and diffs, an experiment, analytics, evaluation on
 * history, the playground, and import / export of all templates.
 */
export function PromptsPage() {
  const templates = usePromptTemplates();
  const picked = usePromptsView((s) => s.templateId);
  const select = usePromptsView((s) => s.selectTemplate);
  const tab = tabFrom(useHash());
  const list = templates.data ?? [];
  const selected = list.find((t) => t.id === picked) ?? list[0] ?? null;
  const detail = usePromptTemplate(selected?.id ?? null);
  const active = selected ? (detail.data?.versions.find((v) => v.active) ?? null) : null;

  return (
    <section className="page page-prompts" aria-labelledby="page-title">
      <header className="page-header">
        <h1 id="page-title">Prompts</h1>
      </header>
      <p className="page-intro">
        What the language model is asked about each event. Each change is a new version: try it in
        the playground or on your history, compare versions in an experiment, roll back at any time.
      </p>
      {templates.isError && (
        <ErrorNotice error={templates.error} prefix="Could not load prompt templates" />
      )}
      {templates.isPending && <p className="muted">Loading prompt templates…</p>}
      {templates.data && (
        <section className="panel" aria-labelledby="prompt-templates-title">
          <h2 id="prompt-templates-title">Templates</h2>
          {list.length === 0 && (
            <p className="empty-inline">No templates yet: name one below to start.</p>
          )}
          <PromptTemplateList
            templates={list}
            selectedId={selected?.id ?? null}
            onSelect={select}
          />
          <NewTemplateForm from={active} onCreated={select} />
        </section>
      )}
      {selected && (
        <>
          <SubNav
            label={`Parts of ${selected.name}`}
            links={TABS.map((t) => ({
              href: t.id ? `${routeHref('prompts')}/${t.id}` : routeHref('prompts'),
              label: t.label,
              current: t.id === tab,
            }))}
          />
          <TemplateParts key={selected.id} id={selected.id} tab={tab} />
        </>
      )}
      {!selected && tab === 'transfer' && <PromptImportExport />}
    </section>
  );
}
