/**
 * Redaction of secrets in what the collector's users print or save: credential headers and the
 * user name and password of URLs. Applied by default by the HAR builder and the CLI.
 * @module
 */

/** The header names whose values are secrets (lower case). */
export const secretHeaders: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie']);

/** What replaces a secret. */
export const redacted = '[redacted]';

/** `true` when `name` is one of {@link secretHeaders} (any case). */
export function isSecretHeader(name: string): boolean {
  return secretHeaders.has(name.toLowerCase());
}

/**
 * A header value with its secret hidden: `Authorization`/`Proxy-Authorization` keep their scheme
 * (`Basic [redacted]`), cookies keep their names (`session=[redacted]`); other headers are unchanged.
 */
export function redactHeaderValue(name: string, value: string): string {
  const lower = name.toLowerCase();
  if (lower === 'authorization' || lower === 'proxy-authorization') {
    const scheme = /^\s*([A-Za-z][\w.+-]*)\s+\S/.exec(value);
    return scheme ? `${scheme[1]} ${redacted}` : redacted;
  }
  if (lower === 'cookie') return value.split(';').map((c) => `${c.split('=')[0]!.trim()}=${redacted}`).join('; ');
  if (lower === 'set-cookie') {
    const [pair = '', ...attributes] = value.split(';');
    return [`${pair.split('=')[0]!.trim()}=${redacted}`, ...attributes.map((a) => a.trim())].join('; ');
  }
  return value;
}

/** A URL with its user name and password replaced by `***`; other URLs (and non-URLs) unchanged. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  if (parsed.username === '' && parsed.password === '') return url;
  if (parsed.username !== '') parsed.username = '***';
  if (parsed.password !== '') parsed.password = '***';
  return parsed.href;
}
