import { Fragment, useRef } from 'react';
import { isMacPlatform, shortcutRows } from '../keyboard';
import { Dialog } from './Dialog';

/** Every key the app answers to, from the same table as the Electron menu. Escape closes it. */
export function ShortcutsDialog({ onClose }: { onClose: () => void }) {
  const closeRef = useRef<HTMLButtonElement>(null);
  const rows = shortcutRows(isMacPlatform(navigator.platform));
  return (
    <Dialog
      labelledBy="shortcuts-title"
      onClose={onClose}
      initialFocus={closeRef}
      className="shortcuts-dialog"
    >
      <div className="dialog-header">
        <h2 id="shortcuts-title">Keyboard shortcuts</h2>
        <button type="button" className="button button-small" ref={closeRef} onClick={onClose}>
          Close
        </button>
      </div>
      <table className="table table-compact shortcuts-table">
        <caption className="visually-hidden">Keyboard shortcuts</caption>
        <thead>
          <tr>
            <th scope="col">Action</th>
            <th scope="col">Keys</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>
                {row.keys.map((key, i) => (
                  <Fragment key={key}>
                    {i > 0 && (row.joiner === 'or' ? ' or ' : ' / ')}
                    <kbd>{key}</kbd>
                  </Fragment>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
