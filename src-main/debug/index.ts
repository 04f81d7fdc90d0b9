/** Debug: channels for looking inside the running app (debug mode only). */
export { debugHandlers } from './handlers';
