import fs from 'node:fs/promises';
import path from 'node:path';

/** Whether file names differ only in case on this platform's usual file systems. */
const CASE_INSENSITIVE = process.platform === 'win32' || process.platform === 'darwin';

export interface ContainmentOptions {
  /** The root itself counts as inside (default true). */
  allowRoot?: boolean;
  /** Compare ignoring case (default: true on Windows and macOS). */
  ignoreCase?: boolean;
}

/**
 * The one containment rule: `candidate` is inside `root` when, both resolved to absolute
 * paths, the relative path from root to candidate neither climbs (`..`) nor is absolute (a
 * different drive). Purely lexical: use `realpathInside` where links may point out.
 */
export function isInside(root: string, candidate: string, opts: ContainmentOptions = {}): boolean {
  const fold = (p: string) => ((opts.ignoreCase ?? CASE_INSENSITIVE) ? p.toLowerCase() : p);
  const rel = path.relative(fold(path.resolve(root)), fold(path.resolve(candidate)));
  if (rel === '') return opts.allowRoot ?? true;
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/**
 * The real path of `file` when it lies inside one of `roots` after every link is followed
 * (the roots' own links too); undefined when it is elsewhere or does not exist.
 */
export async function realpathInside(
  roots: readonly string[],
  file: string,
): Promise<string | undefined> {
  let real: string;
  try {
    real = await fs.realpath(file);
  } catch {
    return undefined;
  }
  for (const root of roots) {
    const realRoot = await fs.realpath(root).catch(() => path.resolve(root));
    if (isInside(realRoot, real, { allowRoot: false })) return real;
  }
  return undefined;
}
