import fs from 'node:fs';
import type { PromptsExport } from '../../src-shared/prompts';
import { DEFAULT_VERSION_PARAMS } from '../../src-shared/prompts';
import { insertScoredEvents } from '../helpers/events';
import type { FakeLlm } from '../helpers/llm-server';
import { startFakeLlm } from '../helpers/llm-server';
import { openAt, seedCameras, withAppDb } from './app-db';
import { expect, test } from './fixtures';

/** One stored event on a "Porch" camera, scored 40 by the rules, in the app's SQLite file. */
async function seedEvent(dataDir: string): Promise<string> {
  return withAppDb(dataDir, async (db) => {
    await seedCameras(db, dataDir, [['porch', 'Porch']]);
    const [id] = await insertScoredEvents(db, [
      { cameraId: 'porch', component: 40, startedAt: new Date(Date.now() - 60_000).toISOString() },
    ]);
    return id!;
  });
}

let llm: FakeLlm;
test.beforeEach(async () => {
  llm = await startFakeLlm('good');
});
test.afterEach(async () => {
  await llm.close();
});

test('prompts: a version with its own constant is saved and activated; the playground runs it on a stored event and shows the change', async ({
  page,
  hsi,
}) => {
  llm.score = 77;
  const eventId = await seedEvent(hsi.dataDir);

  // The language model: test the connection, take a model from its list, save.
  await openAt(page, hsi, '#/settings');
  const settings = page.getByRole('form', { name: 'Settings form' });
  await settings.getByLabel('LLM base URL').fill(llm.url);
  await settings.getByLabel('LLM enabled').check();
  await settings.getByRole('button', { name: 'Test connection' }).click();
  await expect(settings.getByTestId('llm-connection-status')).toHaveText(
    'Connected: 2 models (from /v1/models)',
  );
  await settings
    .getByRole('list', { name: 'Models on this server' })
    .getByRole('button', { name: 'nemotron-mini' })
    .click();
  await expect(settings.getByLabel('LLM model')).toHaveValue('nemotron-mini');
  await settings.getByRole('button', { name: 'Save' }).click();
  await expect(settings.getByRole('status')).toHaveText('Settings saved');

  // The editor starts from the live template's active version.
  await openAt(page, hsi, '#/prompts');
  const templates = page.getByRole('list', { name: 'Prompt templates' });
  await expect(templates.getByRole('button', { name: /Risk analysis/ })).toContainText('live');
  const editor = page.getByRole('form', { name: 'Prompt editor' });
  const body = editor.getByLabel('Prompt text');
  await expect(body).toHaveValue(/You are a home security analyst for a private home/);

  // A placeholder nothing declares is said at once, marked in the text, and blocks saving.
  await body.fill('Camera {{camera_name}} saw:\n{{detections}}\nHouse notes: {{house_notes}}');
  const problems = editor.getByRole('list', { name: 'Problems with this prompt' });
  await expect(problems).toHaveText('Used but not declared: house_notes');
  await expect(editor.getByTestId('prompt-preview').locator('mark.ph-undeclared')).toHaveText(
    /\{\{house_notes\}\}/,
  );
  await expect(editor.getByRole('button', { name: 'Save version' })).toBeDisabled();

  // Declared as a constant with a value: the problem goes, the version is saved.
  await editor.getByRole('button', { name: 'Add constant' }).click();
  await expect(editor.getByLabel('Constant 1 name')).toBeFocused();
  await editor.getByLabel('Constant 1 name').fill('house_notes');
  await editor.getByLabel('Constant 1 value').fill('The gardener Pat comes on Tuesdays');
  await expect(problems).toHaveCount(0);
  await expect(editor.getByText('No problems')).toBeVisible();
  await editor.getByLabel('Change description').fill('Tell the model about the gardener');
  await editor.getByRole('button', { name: 'Save version' }).click();
  await expect(editor.getByRole('status')).toHaveText(/^Saved version 3 \(not active/);

  // History: activate it; the diff against the version before names what else changed.
  const parts = page.getByRole('navigation', { name: 'Parts of Risk analysis' });
  await parts.getByRole('link', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'Versions of Risk analysis' });
  await expect(history.getByTestId('version-row-3')).toContainText(
    'Tell the model about the gardener',
  );
  await history.getByRole('button', { name: 'Activate version 3' }).click();
  await expect(history.getByRole('status')).toHaveText('Version 3 is now active');
  await expect(
    history.getByTestId('version-row-3').getByText('active', { exact: true }),
  ).toBeVisible();
  await history.getByRole('button', { name: 'Compare version 2 with the active version' }).click();
  await expect(page.getByTestId('prompt-diff-summary')).toContainText(
    'Also changed: declared variables, constants.',
  );

  // Playground: the active version on the stored event, beside its stored result.
  await parts.getByRole('link', { name: 'Playground' }).click();
  const playground = page.getByRole('form', { name: 'Playground' });
  await playground.getByLabel('Recent event').selectOption(eventId);
  await expect(playground.getByLabel('Event id')).toHaveValue(eventId);
  await playground.getByRole('button', { name: 'Run' }).click();
  const result = page.getByTestId('playground-result');
  await expect(result.getByTestId('playground-delta')).toHaveText(
    'Change +37 (more alarming than stored)',
  );
  await expect(result.getByTestId('playground-delta')).toHaveClass(/delta-alarming/);
  await expect(result.getByTestId('playground-new-score')).toContainText('High 77');
  await expect(result.getByTestId('playground-stored-score')).toContainText('Medium 40');
  await expect(result.getByTestId('playground-runs')).toHaveText('1 run');
  await expect(page.getByRole('button', { name: /^Promote/ })).toBeDisabled();
  await expect(page.getByText('Run it 2 more times before promoting')).toBeVisible();

  // What the model was sent: the constant's value and a built-in filled in.
  const sent = llm.requests.at(-1)!;
  expect(sent.prompt).toContain('House notes: The gardener Pat comes on Tuesdays');
  expect(sent.prompt).toContain('Camera Porch saw:');
});

test('prompts: a new template, a shadow experiment promoted, a rollback, and an export imported back as a version that is not active', async ({
  page,
  hsi,
}) => {
  await openAt(page, hsi, '#/prompts');
  const templates = page.getByRole('list', { name: 'Prompt templates' });
  const create = page.getByRole('form', { name: 'New template' });
  await create.getByLabel('New template name').fill('Night watch');
  await create.getByRole('button', { name: 'New template' }).click();
  await expect(create.getByRole('status')).toHaveText('Created template Night watch');
  await expect(templates.getByRole('button', { name: /Night watch/ })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await templates.getByRole('button', { name: /Risk analysis/ }).click();
  const parts = page.getByRole('navigation', { name: 'Parts of Risk analysis' });

  // An experiment needs a version besides the active one; then it runs until promoted.
  await parts.getByRole('link', { name: 'Experiment' }).click();
  const setup = page.getByRole('form', { name: 'Experiment form' });
  await setup.getByLabel('Mode').selectOption('shadow');
  await setup.getByRole('button', { name: 'Start shadow experiment' }).click();
  await expect(
    setup.getByText('Pick at least one other version to try against the active one'),
  ).toBeVisible();
  await setup.getByLabel('Version 1', { exact: true }).check();
  await setup.getByLabel('Weight of version 1').fill('2');
  await setup.getByRole('button', { name: 'Start shadow experiment' }).click();
  const running = page.getByRole('region', { name: 'Running experiment' });
  await expect(running).toContainText('Shadow');
  await expect(running.getByRole('list', { name: 'Variants' })).toContainText(
    'Version 1 · weight 2',
  );
  await running.getByRole('button', { name: 'Promote version 1' }).click();
  await expect(page.getByText('Version 1 is now active; the experiment has ended')).toBeVisible();
  await expect(running).toHaveCount(0);

  // Rolling back to version 2 adds version 3, a copy, and makes it active.
  await parts.getByRole('link', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'Versions of Risk analysis' });
  await expect(
    history.getByTestId('version-row-1').getByText('active', { exact: true }),
  ).toBeVisible();
  await history.getByRole('button', { name: 'Roll back to version 2' }).click();
  await expect(history.getByRole('status')).toHaveText(
    'Rolled back: version 3, a copy of version 2, is now active',
  );
  await expect(history.getByTestId('version-row-3')).toContainText('Rollback');

  // Export (a browser download), change the active version's text in it, preview, import.
  await parts.getByRole('link', { name: 'Import / export' }).click();
  let doc: PromptsExport = { format: 'hsi-prompts', version: 1, exportedAt: '', templates: [] };
  if (hsi.mode === 'browser') {
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export prompts' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^hsi-prompts-\d{4}-\d{2}-\d{2}\.json$/);
    doc = JSON.parse(fs.readFileSync(await file.path(), 'utf8')) as PromptsExport;
    expect(doc.templates.find((t) => t.name === 'Risk analysis')?.versions).toHaveLength(3);
  }
  const active = doc.templates
    .find((t) => t.name === 'Risk analysis')
    ?.versions.find((v) => v.active) ?? {
    number: 1,
    active: true,
    body: 'Camera {{camera_name}}',
    variables: ['camera_name'],
    constants: {},
    params: DEFAULT_VERSION_PARAMS,
    changeDescription: '',
  };
  doc.templates = [
    {
      name: 'Risk analysis',
      description: '',
      versions: [{ ...active, body: `${active.body}\nBe brief.` }],
    },
  ];
  const transfer = page.getByRole('region', { name: 'Import' });
  await transfer.getByLabel('Or paste the JSON').fill(JSON.stringify(doc));
  await expect(transfer.getByRole('button', { name: 'Import', exact: true })).toBeDisabled();
  await transfer.getByRole('button', { name: 'Preview' }).click();
  const preview = transfer.getByRole('list', { name: 'Import preview' });
  await expect(preview).toContainText('Risk analysis: New version (not active)');
  await expect(preview.getByLabel('Changes to Risk analysis')).toContainText('+Be brief.');
  await transfer.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(transfer.getByRole('status')).toHaveText('Imported 1 version');

  await parts.getByRole('link', { name: 'History' }).click();
  await expect(history.getByTestId('version-row-4')).toContainText('Import');
  await expect(
    history.getByTestId('version-row-4').getByText('active', { exact: true }),
  ).toHaveCount(0);
  await expect(
    history.getByTestId('version-row-3').getByText('active', { exact: true }),
  ).toBeVisible();
});
