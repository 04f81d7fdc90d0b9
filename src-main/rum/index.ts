/** Real-user monitoring: Core Web Vitals from the app's windows. */
export { rumRepository } from './rum-repository';
export type { RumRepository } from './rum-repository';
export { RumService, rumPath } from './rum-service';
export { rumHandlers } from './handlers';
