import type { HandlersFor } from '../common/handlers';
import type { DesktopFiles, ExportService } from './export-service';

export function exportHandlers(d: {
  exports: ExportService;
  /** Lent by the Electron edge; absent in a browser. */
  desktop?: DesktopFiles;
}): HandlersFor<
  | 'exports.create'
  | 'exports.list'
  | 'exports.get'
  | 'exports.cancel'
  | 'exports.downloadInfo'
  | 'exports.saveAs'
  | 'exports.reveal'
> {
  return {
    'exports.create': (input) => d.exports.create(input),
    'exports.list': (filter) => d.exports.list(filter),
    'exports.get': ({ id }) => d.exports.get(id),
    'exports.cancel': ({ id }) => d.exports.cancel(id),
    'exports.downloadInfo': async ({ id }) => {
      const { path: _file, ...info } = await d.exports.downloadInfo(id);
      return info;
    },
    'exports.saveAs': ({ id }) => d.exports.saveAs(id, d.desktop),
    'exports.reveal': ({ id }) => d.exports.reveal(id, d.desktop),
  };
}
