/** Escapes text for HTML and XML (element content and quoted attributes). */
export function escapeHtml(s: string): string {
  return s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
