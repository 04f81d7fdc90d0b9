import type { RiskLevel } from '../../src-shared/domain';
import { RISK_LEVELS } from '../../src-shared/domain';
import type { ClassGroup, Topics } from './topics';
import { CLASS_GROUPS } from './topics';

/**
 * Home Assistant MQTT discovery, device-based (one retained config per device under
 * `<prefix>/device/<id>/config` listing its components): a device for the app and one per
 * camera. Unique ids derive from the camera's id (or the base topic for the app), so they stay
 * the same across restarts and renames; an empty retained config removes a device.
 */

const ORIGIN_NAME = 'Home Security Intelligence';

export interface DiscoveryMessage {
  topic: string;
  /** null: remove the device (an empty retained payload). */
  payload: Record<string, unknown> | null;
}

interface Common {
  prefix: string;
  base: string;
  topics: Topics;
  version: string;
}

/** Online only while the app says `online`: `offline` (its Last Will) and `stopped` are not. */
function availability(t: Topics) {
  return {
    availability: [
      {
        topic: t.available,
        value_template: "{{ 'online' if value == 'online' else 'offline' }}",
      },
    ],
  };
}

function origin(version: string) {
  return { name: ORIGIN_NAME, sw: version };
}

export function appDeviceId(base: string): string {
  return `hsi_app_${base.replace(/[^A-Za-z0-9]+/g, '_')}`;
}

export function cameraDeviceId(cameraId: string): string {
  return `hsi_${cameraId}`;
}

export function deviceConfigTopic(prefix: string, deviceId: string): string {
  return `${prefix}/device/${deviceId}/config`;
}

/** The app itself: intake on/off, acknowledge every alert, images waiting. */
export function appDiscovery(c: Common): DiscoveryMessage {
  const id = appDeviceId(c.base);
  return {
    topic: deviceConfigTopic(c.prefix, id),
    payload: {
      dev: {
        ids: [id],
        name: ORIGIN_NAME,
        mf: ORIGIN_NAME,
        mdl: 'Home Security Intelligence',
        sw: c.version,
      },
      o: origin(c.version),
      ...availability(c.topics),
      qos: 1,
      cmps: {
        intake: {
          p: 'switch',
          name: 'Snapshot intake',
          unique_id: `${id}_intake`,
          icon: 'mdi:camera-iris',
          command_topic: c.topics.intakeSet,
          state_topic: c.topics.intakeState,
          payload_on: 'ON',
          payload_off: 'OFF',
        },
        acknowledge_alerts: {
          p: 'button',
          name: 'Acknowledge all alerts',
          unique_id: `${id}_acknowledge_alerts`,
          icon: 'mdi:bell-check',
          command_topic: c.topics.acknowledge,
          payload_press: 'all',
        },
        images_waiting: {
          p: 'sensor',
          name: 'Images waiting',
          unique_id: `${id}_images_waiting`,
          icon: 'mdi:tray-full',
          state_topic: c.topics.stats,
          value_template: '{{ value_json.imagesWaiting }}',
          state_class: 'measurement',
        },
      },
    },
  };
}

const GROUP_NAMES: Record<ClassGroup, string> = {
  person: 'Person',
  vehicle: 'Vehicle',
  animal: 'Animal',
};

/**
 * One camera: occupancy per watched group (person, vehicle, animal), risk score and level,
 * the latest annotated snapshot, an alert event, and detection on/off.
 */
export function cameraDiscovery(
  c: Common & { camera: { id: string; name: string }; topicName: string },
): DiscoveryMessage {
  const id = cameraDeviceId(c.camera.id);
  const t = c.topics.camera(c.topicName);
  const occupancy = Object.fromEntries(
    (Object.keys(CLASS_GROUPS) as ClassGroup[]).map((g) => [
      `${g}_occupancy`,
      {
        p: 'binary_sensor',
        name: GROUP_NAMES[g],
        unique_id: `${id}_${g}_occupancy`,
        device_class: 'occupancy',
        state_topic: t.count(g),
        value_template: "{{ 'ON' if (value | int(0)) > 0 else 'OFF' }}",
      },
    ]),
  );
  const levels: readonly RiskLevel[] = RISK_LEVELS;
  return {
    topic: deviceConfigTopic(c.prefix, id),
    payload: {
      dev: {
        ids: [id],
        name: c.camera.name,
        mf: ORIGIN_NAME,
        mdl: 'Camera',
        via_device: appDeviceId(c.base),
      },
      o: origin(c.version),
      ...availability(c.topics),
      qos: 1,
      cmps: {
        ...occupancy,
        risk_score: {
          p: 'sensor',
          name: 'Risk score',
          unique_id: `${id}_risk_score`,
          icon: 'mdi:shield-alert',
          state_topic: t.risk,
          state_class: 'measurement',
        },
        risk_level: {
          p: 'sensor',
          name: 'Risk level',
          unique_id: `${id}_risk_level`,
          device_class: 'enum',
          options: [...levels],
          state_topic: t.riskLevel,
        },
        snapshot: {
          p: 'image',
          name: 'Latest snapshot',
          unique_id: `${id}_snapshot`,
          image_topic: t.snapshot,
          content_type: 'image/jpeg',
        },
        alert: {
          p: 'event',
          name: 'Alert',
          unique_id: `${id}_alert`,
          state_topic: t.alert,
          event_types: [...levels],
        },
        detection: {
          p: 'switch',
          name: 'Detection',
          unique_id: `${id}_detection`,
          icon: 'mdi:motion-sensor',
          command_topic: t.detectSet,
          state_topic: t.detectState,
          payload_on: 'ON',
          payload_off: 'OFF',
        },
      },
    },
  };
}

/** Removes a deleted camera's device and its entities. */
export function removedCameraDiscovery(prefix: string, cameraId: string): DiscoveryMessage {
  return { topic: deviceConfigTopic(prefix, cameraDeviceId(cameraId)), payload: null };
}
