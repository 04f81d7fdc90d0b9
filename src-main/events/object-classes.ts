/** An event's object classes as stored (space-separated; '' for none). */
export function objectClassesOf(stored: string): string[] {
  return stored ? stored.split(' ') : [];
}
