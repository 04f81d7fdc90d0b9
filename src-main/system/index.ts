/** System: settings, logs, health. */
export { settingsRepository } from './settings-repository';
export type { SettingsRepository } from './settings-repository';
export { SettingsService, redactSettings } from './settings-service';
export { appLogging, createLogger, logLevels, setLogLevel } from './logger';
export type { Logger } from './logger';
export { jsonReader, isStringList } from './json-column';
export type { JsonReader } from './json-column';
export { SqliteLogSink } from './log-sink';
export { RotatingLogFile } from './log-file';
export { logRepository } from './log-repository';
export type { LogFilter, LogRepository } from './log-repository';
export { settingsProbe } from './health';
export type { HealthProbe } from './health';
export { systemHandlers } from './handlers';
