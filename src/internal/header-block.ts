/** Splits a raw HTTP/1 header block into fields, in wire order. */

/** One header name as written and the values of its consecutive lines. */
export type HeaderField = readonly [key: string, values: string[]];

/**
 * Parses `block` (request or status line, header lines, blank line) into fields; consecutive lines
 * with the same name (any case) are one field with several values, as Go reports them.
 */
export function headerFields(block: string): HeaderField[] {
  const fields: Array<[string, string[]]> = [];
  const lines = block.split('\r\n');
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    const last = fields[fields.length - 1];
    if (last !== undefined && last[0].toLowerCase() === key.toLowerCase()) last[1].push(value);
    else fields.push([key, [value]]);
  }
  return fields;
}

/** Groups Node's flat `rawHeaders` (`[name, value, name, value, …]`) by lower-case name. */
export function headerMap(rawHeaders: readonly string[]): Record<string, string[]> {
  const map: Record<string, string[]> = Object.create(null);
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const key = rawHeaders[i]!.toLowerCase();
    (map[key] ??= []).push(rawHeaders[i + 1]!);
  }
  return map;
}
