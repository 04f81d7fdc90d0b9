import { AppError } from '../../src-shared/errors';
import type { HandlersFor } from '../common/handlers';
import type { AlertRepository } from './alert-repository';
import type { AlertService } from './alert-service';

export function alertHandlers(d: {
  alerts: AlertService;
  repo: AlertRepository;
}): HandlersFor<
  | 'alertRules.list'
  | 'alertRules.create'
  | 'alertRules.update'
  | 'alertRules.delete'
  | 'alertRules.test'
  | 'alerts.list'
  | 'alerts.acknowledge'
  | 'alerts.dismiss'
> {
  const found = <T>(rule: T | undefined, id: string): T => {
    if (!rule) throw new AppError('not_found', `No rule with id "${id}"`);
    return rule;
  };
  return {
    'alertRules.list': () => d.repo.rules(),
    'alertRules.create': (input) => d.repo.createRule(input),
    'alertRules.update': async ({ id, ...patch }) => found(await d.repo.updateRule(id, patch), id),
    'alertRules.delete': async ({ id }) => found(await d.repo.deleteRule(id), id),
    'alertRules.test': (input) => d.alerts.test(input),
    'alerts.list': (filter) => d.repo.list(filter),
    'alerts.acknowledge': ({ id }) => d.alerts.resolve(id, 'acknowledged'),
    'alerts.dismiss': ({ id }) => d.alerts.resolve(id, 'dismissed'),
  };
}
