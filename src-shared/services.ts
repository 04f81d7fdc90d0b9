import { z } from 'zod';
import type { ServiceStatus } from './domain';

/**
 * The app's own long-running parts, each a service the supervisor starts in dependency
 * order (API.md `services.*`). Managed local servers the user configures join them.
 */
export const INTERNAL_SERVICES = [
  'database',
  'detector',
  'detection-server',
  'notifications',
  'mqtt',
  'alerts',
  'scorer',
  'aggregator',
  'ingest',
  'jobs',
  'exports',
  'telemetry',
] as const;

const serviceName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'lower-case letters, digits and dashes (at most 40)');

/** A local server the app starts, watches and stops with itself (e.g. `llama-server`). */
export const managedServiceSchema = z
  .strictObject({
    name: serviceName,
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    /** Added to the app's environment; values under secret-looking names are redacted on read. */
    env: z.record(z.string(), z.string()).default({}),
    /** Empty: the data directory. */
    cwd: z.string().default(''),
    /** Healthy when a GET answers 2xx… */
    healthUrl: z.string().url().optional(),
    /** …or when this port on 127.0.0.1 accepts a connection (neither: while it runs). */
    tcpPort: z.number().int().min(1).max(65535).optional(),
    startupTimeoutSeconds: z.number().min(0.1).max(3600).default(60),
    dependsOn: z.array(serviceName).default([]),
    /** App services that need this one: they show degraded while it is down (e.g. `scorer`). */
    requiredBy: z.array(serviceName).default([]),
  })
  .refine((s) => !(INTERNAL_SERVICES as readonly string[]).includes(s.name), {
    message: 'this name belongs to one of the app’s own services',
    path: ['name'],
  });

export type ManagedServiceConfig = z.output<typeof managedServiceSchema>;

/** How the supervisor checks, restarts and gives up on services. */
export const supervisorSettingsSchema = z
  .strictObject({
    healthIntervalSeconds: z.number().min(0.05).max(3600).default(10),
    healthTimeoutSeconds: z.number().min(0.05).max(600).default(5),
    /** Consecutive failures after which a service is disabled until re-enabled. */
    maxFailures: z.number().int().min(1).max(100).default(5),
    /** The first automatic restart waits this long; each further one twice as long. */
    backoffSeconds: z.number().min(0).max(3600).default(1),
    maxBackoffSeconds: z.number().min(0).max(86400).default(300),
    /** Healthy this long after a start: the failure count resets. */
    stableSeconds: z.number().min(0).max(86400).default(60),
    managed: z.array(managedServiceSchema).default([]),
  })
  .superRefine((s, ctx) => {
    const problem = dependencyProblem(s.managed);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, path: ['managed'] });
  });

/** Internal services each managed service's `requiredBy` may name, and their own needs. */
export const INTERNAL_DEPENDENCIES: Record<(typeof INTERNAL_SERVICES)[number], string[]> = {
  database: [],
  detector: [],
  'detection-server': ['detector'],
  notifications: ['database'],
  mqtt: ['database'],
  alerts: ['database', 'notifications'],
  scorer: ['database', 'alerts'],
  aggregator: ['database', 'scorer'],
  ingest: ['database', 'detector', 'aggregator'],
  jobs: ['database'],
  exports: ['database'],
  telemetry: ['database'],
};

/**
 * A configuration error in the managed services, or null: a duplicate name, a dependency on
 * a service that does not exist, or a cycle (named in the order it goes round).
 */
export function dependencyProblem(managed: ManagedServiceConfig[]): string | null {
  const graph = new Map<string, string[]>(
    Object.entries(INTERNAL_DEPENDENCIES).map(([k, v]) => [k, [...v]]),
  );
  for (const m of managed) {
    if (graph.has(m.name) && managed.filter((x) => x.name === m.name).length > 1) {
      return `Two managed services are named "${m.name}"`;
    }
    graph.set(m.name, [...m.dependsOn]);
  }
  for (const m of managed) {
    for (const dep of m.dependsOn) {
      if (!graph.has(dep)) return `Service "${m.name}" depends on "${dep}", which does not exist`;
    }
    for (const user of m.requiredBy) {
      if (!(INTERNAL_SERVICES as readonly string[]).includes(user)) {
        return `Service "${m.name}" is required by "${user}", which is not one of the app’s services`;
      }
      graph.get(user)!.push(m.name);
    }
  }
  const cycle = findCycle(graph);
  return cycle ? `Services depend on each other in a cycle: ${cycle.join(' → ')}` : null;
}

/** One cycle in a dependency graph (first node repeated at the end), or null. */
export function findCycle(graph: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | null => {
    if (state.get(node) === 'done') return null;
    if (state.get(node) === 'visiting') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'visiting');
    stack.push(node);
    for (const dep of graph.get(node) ?? []) {
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(node, 'done');
    return null;
  };
  for (const node of graph.keys()) {
    const found = visit(node);
    if (found) return found;
  }
  return null;
}

export interface ServiceHealthCheck {
  status: 'running' | 'degraded' | 'failed';
  detail: string | null;
  checkedAt: string;
  latencyMs: number;
}

/** A service as `services.list` / `services.get` and the `service.status` push tell it. */
export interface Service {
  name: string;
  kind: 'internal' | 'process';
  description: string;
  status: ServiceStatus;
  /** Why it is degraded or failed, in words. */
  detail: string | null;
  enabled: boolean;
  /** Set when disabled: by the user, or after `maxFailures` failures in a row. */
  disabledReason: string | null;
  /** Can be stopped and started on its own (the database stops only with the app). */
  restartable: boolean;
  dependsOn: string[];
  dependents: string[];
  health: ServiceHealthCheck | null;
  lastError: string | null;
  /** Failures in a row (reset by a manual restart, enabling, or a stable run). */
  failures: number;
  restarts: number;
  startedAt: string | null;
  nextRestartAt: string | null;
  /** The managed process (its own process group). */
  pid: number | null;
  command: string | null;
}
