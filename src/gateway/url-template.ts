/**
 * Operation URL templates (`/resource`, `/users/{id}`, `/files/{name}.{ext}`, `/*`) compiled to
 * matchers. A `{param}` matches one non-empty path segment; a trailing `*` or `{*param}` matches
 * the rest of the path (zero or more segments). A `?…` query part is ignored for matching. Literal
 * parts compare case-insensitively, as APIM does. One trailing slash on the request is tolerated.
 */

export interface UrlTemplate {
  readonly template: string;
  /** Names of the template parameters, in order. */
  readonly paramNames: readonly string[];
  /** Sort key: more specific templates first (see compareSpecificity). */
  readonly literalSegments: number;
  readonly wildcard: boolean;
  /** Matches a raw (still percent-encoded) path relative to the API path; '' counts as '/'. */
  match(path: string): Record<string, string> | undefined;
}

const PARAM = /\{([^{}/]*)\}/g;

export function compileUrlTemplate(template: string): UrlTemplate {
  const pathPart = template.split('?', 1)[0] ?? '';
  const segments = pathPart.split('/').filter((segment, index) => index > 0 || segment !== '');
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();

  const paramNames: string[] = [];
  let wildcard = false;
  let literalSegments = 0;
  let source = '^';
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    const rest = /^\{\*([^{}/]*)\}$/.exec(segment);
    if (last && (segment === '*' || rest)) {
      wildcard = true;
      paramNames.push(rest?.[1] || '*');
      source += '(?:/(.*))?';
      return;
    }
    source += '/';
    let cursor = 0;
    let hasParam = false;
    for (const found of segment.matchAll(PARAM)) {
      source += escapeRegExp(segment.slice(cursor, found.index));
      cursor = found.index + found[0].length;
      // A parameter stops at the first character of the literal that follows it (`{name}.{ext}`:
      // name excludes '.'). Without that, several parameters in one segment make the regex
      // backtrack polynomially on a crafted path, which would stall every listener.
      const next = segment.charAt(cursor);
      source += next === '' || next === '{' ? '([^/]+)' : `([^/${escapeClass(next)}]+)`;
      paramNames.push(found[1] ?? '');
      hasParam = true;
    }
    source += escapeRegExp(segment.slice(cursor));
    if (!hasParam) literalSegments++;
  });
  source += wildcard ? '$' : '/?$';
  const regex = new RegExp(source, 'i');

  return {
    template,
    paramNames,
    literalSegments,
    wildcard,
    match(path) {
      const found = regex.exec(path);
      if (!found) return undefined;
      const params: Record<string, string> = {};
      paramNames.forEach((name, index) => {
        params[name] = safeDecode(found[index + 1] ?? '');
      });
      return params;
    },
  };
}

/** Orders templates most specific first: no wildcard, then more literal segments, then fewer parameters. */
export function compareSpecificity(a: UrlTemplate, b: UrlTemplate): number {
  if (a.wildcard !== b.wildcard) return a.wildcard ? 1 : -1;
  if (a.literalSegments !== b.literalSegments) return b.literalSegments - a.literalSegments;
  if (a.paramNames.length !== b.paramNames.length) return a.paramNames.length - b.paramNames.length;
  return b.template.length - a.template.length;
}

/**
 * True when a segment of the raw path is `.` or `..` once percent-decoded, starts with `.;` or `..;`
 * (Tomcat, Spring and others drop `;params` from a segment, so `..;x` is `..` to them), or hides a
 * separator (`%2F`, `%5C` or a raw backslash). Such paths never match: a backend that decodes them
 * could resolve the request outside the API's service URL. Only segments that start with '.' or hold
 * a '%' are looked at closely, so an ordinary path costs one pass and no allocation.
 */
export function hasUnsafeSegment(path: string): boolean {
  if (path.includes('\\')) return true;
  let start = 0;
  while (start <= path.length) {
    let end = path.indexOf('/', start);
    if (end === -1) end = path.length;
    if (end > start && (path.charCodeAt(start) === 0x2e /* . */ || hasPercent(path, start, end)) && unsafeSegment(path.slice(start, end))) return true;
    start = end + 1;
  }
  return false;
}

function hasPercent(path: string, start: number, end: number): boolean {
  const at = path.indexOf('%', start);
  return at !== -1 && at < end;
}

function unsafeSegment(segment: string): boolean {
  if (/%2f|%5c/i.test(segment)) return true;
  // %2e and %3b first, so a malformed escape elsewhere in the segment cannot hide them.
  const decoded = segment.includes('%') ? safeDecode(segment.replace(/%2e/gi, '.').replace(/%3b/gi, ';')) : segment;
  if (decoded === '.' || decoded === '..' || decoded.startsWith('.;') || decoded.startsWith('..;')) return true;
  return decoded.includes('/') || decoded.includes('\\');
}

function escapeClass(char: string): string {
  return char.replace(/[\\\]^-]/g, '\\$&');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
