import type { Migration, MigrationProvider } from 'kysely';
import * as m001 from './001_initial';
import * as m002 from './002_ingest_images';
import * as m003 from './003_quiet_hours_timezone';
import * as m004 from './004_export_images';
import * as m005 from './005_events_stats_index';
import * as m006 from './006_correlation_ids';
import * as m007 from './007_calibration_night';
import * as m008 from './008_recalibration';
import * as m009 from './009_ignore_regions';
import * as m010 from './010_debug_recordings';
import * as m011 from './011_prompt_versions';
import * as m012 from './012_analytics_counters';
import * as m013 from './013_telemetry';
import * as m014 from './014_services_and_dead_letters';
import * as m015 from './015_mqtt_queue';
import * as m016 from './016_hot_query_indexes';
import * as m017 from './017_camera_child_indexes';

/** Every migration, in order. Names are numbered and must only ever be appended. */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '001_initial': m001,
  '002_ingest_images': m002,
  '003_quiet_hours_timezone': m003,
  '004_export_images': m004,
  '005_events_stats_index': m005,
  '006_correlation_ids': m006,
  '007_calibration_night': m007,
  '008_recalibration': m008,
  '009_ignore_regions': m009,
  '010_debug_recordings': m010,
  '011_prompt_versions': m011,
  '012_analytics_counters': m012,
  '013_telemetry': m013,
  '014_services_and_dead_letters': m014,
  '015_mqtt_queue': m015,
  '016_hot_query_indexes': m016,
  '017_camera_child_indexes': m017,
};

export class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Readonly<Record<string, Migration>> = MIGRATIONS) {}

  getMigrations(): Promise<Record<string, Migration>> {
    const names = Object.keys(this.migrations);
    names.forEach((name, i) => {
      const prev = names[i - 1];
      if (!/^\d{3}_[a-z0-9_]+$/.test(name) || (prev !== undefined && prev >= name)) {
        throw new Error(`Migration names must be numbered and increasing: ${name}`);
      }
    });
    return Promise.resolve({ ...this.migrations });
  }
}
