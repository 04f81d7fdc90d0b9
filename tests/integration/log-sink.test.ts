import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/db/database';
import type { OpenedDatabase } from '../../src-main/db/database';
import { SqliteLogSink } from '../../src-main/system/log-sink';
import { createLogger } from '../../src-main/system/logger';
import { tempDir } from '../helpers/temp-app';

let database: OpenedDatabase | undefined;
afterEach(async () => {
  await database?.close();
  database = undefined;
});

describe('logs table sink', () => {
  it('lands info and above in the logs table, with module, correlation id and redacted secrets', async () => {
    database = await openDatabase(path.join(tempDir(), 'hsi.sqlite'));
    const sink = new SqliteLogSink(10);
    const logger = createLogger({ level: 'debug', sink, stderr: false });
    logger.info('before attach');
    sink.attach(database.sqlite);
    const child = logger.child({ module: 'router' });
    child.debug('too chatty for the table');
    child.warn({ correlationId: 'c-1', channel: 'cameras.list', apiKey: 'sk-1' }, 'slow call');
    await expect
      .poll(async () => (await database!.db.selectFrom('logs').selectAll().execute()).length)
      .toBe(2);
    const rows = await database.db.selectFrom('logs').selectAll().orderBy('id').execute();
    expect(rows[0]).toMatchObject({ level: 'info', message: 'before attach', module: null });
    expect(rows[1]).toMatchObject({
      level: 'warn',
      module: 'router',
      message: 'slow call',
      correlation_id: 'c-1',
    });
    const context = JSON.parse(rows[1]!.context!) as Record<string, unknown>;
    expect(context).toEqual({ channel: 'cameras.list', apiKey: '[REDACTED]' });
    sink.detach();
  });
});
