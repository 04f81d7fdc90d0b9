import { ApiError, errorMessage } from '../api';

/**
 * A failed call as a notice: what was being done, the server's message and its error code,
 * and each validation issue the server named (for a prompt: the variables at fault).
 */
export function ErrorNotice({ error, prefix }: { error: unknown; prefix?: string }) {
  const api = error instanceof ApiError ? error : null;
  const message = errorMessage(error);
  // The message often lists the issues already; repeat only the ones it does not.
  const issues = (api?.issues ?? []).filter((i) => !message.includes(i.message));
  return (
    <div className="notice notice-error" role="alert">
      <p>
        {prefix && `${prefix}: `}
        {message}
        {api && (
          <>
            {' '}
            <code className="error-code">{api.code}</code>
          </>
        )}
      </p>
      {issues.length > 0 && (
        <ul className="error-issues">
          {issues.map((issue, i) => (
            <li key={i}>
              {issue.path.length > 0 && <code>{issue.path.join('.')}</code>} {issue.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
