import { describe, expect, it } from 'vitest';
import { cameraOfDetectSet, cameraTopicNames, groupOf, slug } from '../../src-main/mqtt/topics';

const camera = (id: string, name: string, createdAt: string) => ({ id, name, createdAt });

describe('MQTT topic names', () => {
  it('makes a camera name a topic level: lower case, no spaces, accents or wildcards', () => {
    expect(slug('Front Door')).toBe('front_door');
    expect(slug('Café #2 / Garden+')).toBe('cafe_2_garden');
    expect(slug('   ')).toBe('');
  });

  it('gives every camera its own level, the older one the plain name, never one the app uses', () => {
    const names = cameraTopicNames([
      camera('01J0000000000000000000BBBB', 'front door', '2026-02-01T00:00:00Z'),
      camera('01J0000000000000000000AAAA', 'Front Door', '2026-01-01T00:00:00Z'),
      camera('01J0000000000000000000CCCC', 'Events', '2026-01-01T00:00:00Z'),
      camera('01J0000000000000000000DDDD', '???', '2026-01-01T00:00:00Z'),
    ]);
    expect(Object.fromEntries(names)).toEqual({
      '01J0000000000000000000AAAA': 'front_door',
      '01J0000000000000000000BBBB': 'front_door_00bbbb',
      '01J0000000000000000000CCCC': 'events_00cccc',
      '01J0000000000000000000DDDD': 'camera',
    });
  });

  it('reads the camera of a detection command, and nothing else', () => {
    expect(cameraOfDetectSet('hsi', 'hsi/front_door/detect/set')).toBe('front_door');
    expect(cameraOfDetectSet('home/hsi', 'home/hsi/porch/detect/set')).toBe('porch');
    expect(cameraOfDetectSet('hsi', 'hsi/a/b/detect/set')).toBeUndefined();
    expect(cameraOfDetectSet('hsi', 'hsi/intake/set')).toBeUndefined();
    expect(cameraOfDetectSet('hsi', 'other/porch/detect/set')).toBeUndefined();
  });

  it('groups classes as Home Assistant occupancy sensors show them', () => {
    expect([groupOf('person'), groupOf('truck'), groupOf('dog'), groupOf('chair')]).toEqual([
      'person',
      'vehicle',
      'animal',
      undefined,
    ]);
  });
});
