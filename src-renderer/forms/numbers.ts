import type { z } from 'zod';

/** A number typed into a text input; blank or not a number is an issue at `path` (0 then). */
export function typedNumber(text: string, path: (string | number)[], ctx: z.RefinementCtx): number {
  const n = text.trim() === '' ? NaN : Number(text);
  if (Number.isFinite(n)) return n;
  ctx.addIssue({ code: 'custom', path, message: 'Enter a number' });
  return 0;
}
