import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { box, iou } from '../../src-shared/geometry';
import { isImageName } from '../../src-shared/images';
import {
  currentCorrelationId,
  withCorrelation,
  withoutCorrelation,
} from '../../src-main/common/correlation';
import { CircuitBreaker } from '../../src-main/risk';
import type { DomainEvent } from '../../src-main/common/domain-events';
import { DomainEventBus } from '../../src-main/common/domain-events';
import { mergeHandlers } from '../../src-main/common/handlers';
import { isInside, realpathInside } from '../../src-main/common/paths';
import { PushBus } from '../../src-main/common/push-bus';
import { tempDir } from '../helpers/temp-app';
import { jsonDiff, volatileFor } from '../../src-main/debug/json-diff';

describe('path containment: one rule', () => {
  it('children are inside; the root itself only when allowed; `..` and siblings never', () => {
    expect(isInside('/data/ingest', '/data/ingest/porch/a.jpg')).toBe(true);
    expect(isInside('/data/ingest', '/data/ingest')).toBe(true);
    expect(isInside('/data/ingest', '/data/ingest', { allowRoot: false })).toBe(false);
    expect(isInside('/data/ingest', '/data/ingest/porch/../../secret')).toBe(false);
    expect(isInside('/data/ingest', '/data/ingest/../ingest2/a.jpg')).toBe(false);
    expect(isInside('/data/ingest', '/data/ingest-old/a.jpg')).toBe(false);
    // A folder whose name starts with two dots is still inside.
    expect(isInside('/data/ingest', '/data/ingest/..hidden/a.jpg')).toBe(true);
  });

  it('case counts on case-sensitive systems and not on the others', () => {
    expect(isInside('/data/Ingest', '/data/ingest/a.jpg', { ignoreCase: false })).toBe(false);
    expect(isInside('/data/Ingest', '/data/ingest/a.jpg', { ignoreCase: true })).toBe(true);
  });

  it('follows links: a link inside pointing out is outside; a link to a root still works', async () => {
    const base = tempDir('hsi-paths-');
    const root = path.join(base, 'root');
    const outside = path.join(base, 'outside');
    fs.mkdirSync(path.join(root, 'cam'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(root, 'cam', 'a.jpg'), 'x');
    fs.writeFileSync(path.join(outside, 'secret.jpg'), 'x');
    fs.symlinkSync(path.join(outside, 'secret.jpg'), path.join(root, 'cam', 'link.jpg'));
    fs.symlinkSync(root, path.join(base, 'root-link'));

    expect(await realpathInside([root], path.join(root, 'cam', 'a.jpg'))).toBe(
      fs.realpathSync(path.join(root, 'cam', 'a.jpg')),
    );
    expect(await realpathInside([root], path.join(root, 'cam', 'link.jpg'))).toBeUndefined();
    expect(
      await realpathInside([root], path.join(root, 'cam', '..', '..', 'outside', 'secret.jpg')),
    ).toBeUndefined();
    expect(
      await realpathInside([path.join(base, 'root-link')], path.join(root, 'cam', 'a.jpg')),
    ).toBeDefined();
    expect(await realpathInside([root], path.join(root, 'missing.jpg'))).toBeUndefined();
    expect(await realpathInside([root], root)).toBeUndefined(); // the root is not a file in it
    fs.rmSync(base, { recursive: true, force: true });
  });
});

describe('domain events', () => {
  it('a listener that throws or rejects is reported and never stops the publisher or the others', async () => {
    const reported: [string, DomainEvent][] = [];
    const bus = new DomainEventBus((err, event) => reported.push([(err as Error).message, event]));
    const heard: string[] = [];
    bus.on('camera.deleted', () => {
      throw new Error('sync boom');
    });
    bus.on('camera.deleted', () => Promise.reject(new Error('async boom')));
    bus.on('camera.deleted', ({ id }) => void heard.push(id));
    expect(() => bus.publish('camera.deleted', { id: 'porch' }, 'corr-1')).not.toThrow();
    expect(heard).toEqual(['porch']);
    await new Promise<void>((r) => queueMicrotask(r));
    expect(reported.map(([m, e]) => [m, e.name, e.correlationId])).toEqual([
      ['sync boom', 'camera.deleted', 'corr-1'],
      ['async boom', 'camera.deleted', 'corr-1'],
    ]);
  });

  it("listeners run in the event's correlation context (the publisher's when none is given)", () => {
    const bus = new DomainEventBus(() => undefined);
    const seen: (string | undefined)[] = [];
    bus.on('camera.deleted', () => void seen.push(currentCorrelationId()));
    bus.publish('camera.deleted', { id: 'a' }, 'image-1');
    withCorrelation('call-7', () => bus.publish('camera.deleted', { id: 'b' }));
    bus.publish('camera.deleted', { id: 'c' });
    expect(seen).toEqual(['image-1', 'call-7', undefined]);
  });

  it('a timer a call leaves behind does not carry its id (the breaker tells of its trial outside it)', async () => {
    const heard: { state: string; id: string | undefined }[] = [];
    const halfOpen = new Promise<void>((resolve) => {
      const breaker = new CircuitBreaker('llm', 1, 10, (s) => {
        heard.push({ state: s.state, id: currentCorrelationId() });
        if (s.state === 'half-open') resolve();
      });
      void withCorrelation('call-1', () =>
        breaker.execute(() => Promise.reject(new Error('down'))).catch(() => undefined),
      );
    });
    await halfOpen;
    expect(heard).toEqual([
      { state: 'open', id: 'call-1' },
      { state: 'half-open', id: undefined },
    ]);
    expect(withCorrelation('call-2', () => withoutCorrelation(currentCorrelationId))).toBe(
      undefined,
    );
  });

  it('an unsubscribed listener hears nothing more', () => {
    const bus = new DomainEventBus(() => undefined);
    let n = 0;
    const off = bus.on('camera.deleted', () => void n++);
    bus.publish('camera.deleted', { id: 'a' });
    off();
    bus.publish('camera.deleted', { id: 'a' });
    expect(n).toBe(1);
  });
});

describe('push bus', () => {
  it('a window whose listener throws does not keep the others from hearing', () => {
    const errors: unknown[] = [];
    const push = new PushBus((err) => errors.push(err));
    const heard: string[] = [];
    push.subscribe(() => {
      throw new Error('closed socket');
    });
    push.subscribe((m) => void heard.push(m.type));
    push.emit('camera.deleted', { id: 'a' });
    expect(heard).toEqual(['camera.deleted']);
    expect(errors).toHaveLength(1);
  });
});

describe('handler slices', () => {
  it('refuses a channel handled twice or not at all', () => {
    const one = { 'cameras.list': () => [] };
    expect(() => mergeHandlers(one, one)).toThrow(/cameras.list has two handlers/);
    expect(() => mergeHandlers(one)).toThrow(/No handler for .*cameras\.get/);
  });
});

describe('shared rules', () => {
  it('images by name: jpg, jpeg and png in any case; hidden files never', () => {
    expect(['a.jpg', 'B.JPEG', 'c.Png', '/x/y/z.jpg', 'C:\\cam\\d.jpg'].map(isImageName)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['.a.jpg', 'a.gif', 'jpg', 'a.jpg.part', '/x/.hidden.png'].map(isImageName)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('IoU of boxes', () => {
    expect(iou(box([0, 0, 2, 2]), box([1, 1, 3, 3]))).toBeCloseTo(1 / 7);
    expect(iou(box([0, 0, 1, 1]), box([2, 2, 3, 3]))).toBe(0);
    expect(iou(box([0, 0, 1, 1]), box([0, 0, 1, 1]))).toBe(1);
  });
});

describe('replay diffs', () => {
  it('compares JSON by path, leaving out volatile fields (and each channel’s own)', () => {
    expect(
      jsonDiff(
        { items: [{ name: 'A', updatedAt: 'x' }], n: 1 },
        { items: [{ name: 'B', updatedAt: 'y' }], n: 1, extra: true },
      ),
    ).toEqual([
      { path: 'items.0.name', before: 'A', after: 'B' },
      { path: 'extra', before: undefined, after: true },
    ]);
    const a = { queueDepth: 1, perMinute: 3 };
    const b = { queueDepth: 1, perMinute: 9 };
    expect(jsonDiff(a, b, volatileFor('ingest.status'))).toEqual([]);
    expect(jsonDiff(a, b, volatileFor('cameras.list'))).toHaveLength(1);
    expect(jsonDiff([1, 2], { 0: 1, 1: 2 })).toEqual([
      { path: '(root)', before: [1, 2], after: { 0: 1, 1: 2 } },
    ]);
  });
});
