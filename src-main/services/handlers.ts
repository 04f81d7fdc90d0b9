import type { HandlersFor } from '../common/handlers';
import type { LogRepository } from '../system';
import type { ServiceSupervisor } from './supervisor';

export function serviceHandlers(d: {
  supervisor: ServiceSupervisor;
  logs: LogRepository;
}): HandlersFor<
  | 'services.list'
  | 'services.get'
  | 'services.start'
  | 'services.stop'
  | 'services.restart'
  | 'services.enable'
  | 'services.disable'
  | 'services.logs'
> {
  const { supervisor } = d;
  return {
    'services.list': () => supervisor.list(),
    'services.get': ({ name }) => supervisor.get(name),
    'services.start': ({ name }) => supervisor.startService(name),
    'services.stop': ({ name }) => supervisor.stopService(name),
    'services.restart': ({ name }) => supervisor.restartService(name),
    'services.enable': ({ name }) => supervisor.enable(name),
    'services.disable': ({ name }) => supervisor.disable(name),
    'services.logs': ({ name, ...filter }) =>
      d.logs.list({ ...filter, module: supervisor.logModules(name) }),
  };
}
