import fs from 'node:fs';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { LAYERS } from '../../eslint.config.js';

/**
 * The layering of src-main (eslint.config.js) is part of `npm run lint`: these imports are
 * linted as if they stood in real files, with the project's own configuration.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function lint(filePath: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath });
  return result!.messages.map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

describe('layering lint', { timeout: 60_000 }, () => {
  it('refuses a domain importing the composition root, the bridge or an edge', async () => {
    for (const target of ['../app/compose', '../bridge/router', '../web/server']) {
      const messages = await lint(
        'src-main/cameras/camera-service.ts',
        `import * as m from '${target}';\nexport const x = m;\n`,
      );
      expect(messages.join('\n'), target).toMatch(
        /no-restricted-paths.*src-main\/cameras sits below/,
      );
    }
  });

  it('refuses an import cycle between domain folders: the lower one may not import the higher', async () => {
    // events imports cameras; cameras importing events would close the loop.
    expect(
      await lint(
        'src-main/cameras/camera-service.ts',
        `import { EventService } from '../events';\nexport const x = EventService;\n`,
      ),
    ).toEqual([expect.stringMatching(/no-restricted-paths/)]);
  });

  it('refuses an import cycle between files', async () => {
    // event-source.ts imports event-filter-sql.ts.
    expect(
      await lint(
        'src-main/events/event-filter-sql.ts',
        `import { EventSource } from './event-source';\nexport const x = EventSource;\n`,
      ),
    ).toEqual([expect.stringMatching(/no-cycle/)]);
  });

  it('keeps db/, src-shared/, the renderer and the Electron edge in their lanes', async () => {
    const cases: [string, string, RegExp][] = [
      ['src-main/db/database.ts', '../cameras', /no-restricted-paths/],
      ['src-shared/domain.ts', '../src-main/common/ids', /no-restricted-paths/],
      ['src-renderer/api.ts', '../src-main/app/compose', /no-restricted-paths/],
      ['src-main/electron/window.ts', '../web/server', /no-restricted-paths/],
      ['src-main/system/settings-service.ts', 'electron', /no-restricted-imports/],
    ];
    for (const [file, target, rule] of cases) {
      const messages = await lint(file, `import * as m from '${target}';\nexport const x = m;\n`);
      expect(messages.join('\n'), `${file} → ${target}`).toMatch(rule);
    }
  });

  it('accepts the imports the layers allow', async () => {
    expect(
      await lint(
        'src-main/events/event-service.ts',
        `import { cameraRepository } from '../cameras';\nexport const x = cameraRepository;\n`,
      ),
    ).toEqual([]);
  });

  it('places every folder of src-main in a layer (a folder left out would go unchecked)', () => {
    const folders = fs
      .readdirSync('src-main', { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect([...folders].sort()).toEqual([...LAYERS].sort());
  });
});
