/**
 * A small, strict XML reader for policy documents: elements, attributes (quoted either way), the five
 * predefined entities and numeric references, comments, and one leading `<?xml …?>` declaration.
 * Text between elements is kept (entities decoded) for the caller to judge. Anything else (DOCTYPE
 * and so entity definitions, CDATA, processing instructions, mismatched or unclosed tags, duplicate
 * attributes) is an error with its line; nothing here expands or fetches anything.
 */

export interface XmlElement {
  readonly name: string;
  /** In document order. */
  readonly attributes: readonly XmlAttribute[];
  readonly children: readonly XmlElement[];
  /** The element's own text (between its children), trimmed; '' when none. */
  readonly text: string;
  readonly line: number;
}

export interface XmlAttribute {
  readonly name: string;
  readonly value: string;
}

export class XmlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`${message} (line ${line})`);
  }
}

const NAME = /[A-Za-z_][A-Za-z0-9_.:-]*/y;
const MAX_DEPTH = 32;

export function readXml(text: string): XmlElement {
  const reader = new Reader(text);
  reader.skipProlog();
  const root = reader.element(0);
  reader.skipMisc();
  if (!reader.atEnd()) reader.fail('content after the root element');
  return root;
}

class Reader {
  private pos = 0;

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(message: string): never {
    throw new XmlSyntaxError(message, this.lineAt(this.pos));
  }

  skipProlog(): void {
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.skipSpace();
    if (this.text.startsWith('<?xml', this.pos)) {
      const end = this.text.indexOf('?>', this.pos);
      if (end === -1) this.fail('unterminated XML declaration');
      this.pos = end + 2;
    }
    this.skipMisc();
  }

  /** Whitespace and comments. */
  skipMisc(): void {
    for (;;) {
      this.skipSpace();
      if (!this.text.startsWith('<!--', this.pos)) return;
      const end = this.text.indexOf('-->', this.pos + 4);
      if (end === -1) this.fail('unterminated comment');
      this.pos = end + 3;
    }
  }

  element(depth: number): XmlElement {
    if (depth > MAX_DEPTH) this.fail(`elements nested deeper than ${MAX_DEPTH}`);
    const line = this.lineAt(this.pos);
    if (this.text[this.pos] !== '<') this.fail('expected an element');
    if (this.text.startsWith('<!', this.pos)) this.fail('DOCTYPE and CDATA sections are not allowed');
    if (this.text.startsWith('<?', this.pos)) this.fail('processing instructions are not allowed');
    this.pos++;
    const name = this.name();
    const attributes: XmlAttribute[] = [];
    for (;;) {
      const spaced = this.skipSpace();
      if (this.text.startsWith('/>', this.pos)) {
        this.pos += 2;
        return { name, attributes, children: [], text: '', line };
      }
      if (this.text[this.pos] === '>') {
        this.pos++;
        break;
      }
      if (!spaced) this.fail(`expected whitespace, '>' or '/>' in <${name}>`);
      const attribute = this.name();
      this.skipSpace();
      if (this.text[this.pos] !== '=') this.fail(`attribute '${attribute}' of <${name}> has no value`);
      this.pos++;
      this.skipSpace();
      if (attributes.some((a) => a.name === attribute)) this.fail(`attribute '${attribute}' appears twice in <${name}>`);
      attributes.push({ name: attribute, value: this.quoted() });
    }
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      this.skipMisc();
      if (this.atEnd()) this.fail(`<${name}> is not closed`);
      if (this.text[this.pos] !== '<') {
        const end = this.text.indexOf('<', this.pos);
        if (end === -1) this.fail(`<${name}> is not closed`);
        text += this.decode(this.text.slice(this.pos, end));
        this.pos = end;
        continue;
      }
      if (this.text.startsWith('</', this.pos)) {
        this.pos += 2;
        const closing = this.name();
        if (closing !== name) this.fail(`</${closing}> closes <${name}>`);
        this.skipSpace();
        if (this.text[this.pos] !== '>') this.fail(`expected '>' after </${closing}`);
        this.pos++;
        return { name, attributes, children, text: text.trim(), line };
      }
      children.push(this.element(depth + 1));
    }
  }

  private name(): string {
    NAME.lastIndex = this.pos;
    const found = NAME.exec(this.text);
    if (!found) this.fail('expected a name');
    this.pos += found[0].length;
    return found[0];
  }

  private quoted(): string {
    const quote = this.text[this.pos];
    if (quote !== '"' && quote !== "'") this.fail('attribute values must be quoted');
    const end = this.text.indexOf(quote, this.pos + 1);
    if (end === -1) this.fail('unterminated attribute value');
    const raw = this.text.slice(this.pos + 1, end);
    if (raw.includes('<')) this.fail("'<' is not allowed in an attribute value");
    this.pos = end + 1;
    return this.decode(raw);
  }

  private decode(raw: string): string {
    if (!raw.includes('&')) return raw;
    return raw.replace(/&(#x[0-9A-Fa-f]+|#[0-9]+|[a-z]+);|&/g, (match, ref: string | undefined) => this.entity(match, ref));
  }

  private entity(match: string, ref: string | undefined): string {
    switch (ref) {
      case 'amp':
        return '&';
      case 'lt':
        return '<';
      case 'gt':
        return '>';
      case 'quot':
        return '"';
      case 'apos':
        return "'";
      case undefined:
        return this.fail("a bare '&' (write &amp;)");
    }
    const code = ref.startsWith('#x') ? Number.parseInt(ref.slice(2), 16) : ref.startsWith('#') ? Number.parseInt(ref.slice(1), 10) : Number.NaN;
    if (!Number.isInteger(code) || code <= 0 || code > 0x10ffff) this.fail(`unknown entity ${match}`);
    return String.fromCodePoint(code);
  }

  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
      this.pos++;
    }
    return this.pos > start;
  }

  private lineAt(pos: number): number {
    let line = 1;
    for (let i = 0; i < pos && i < this.text.length; i++) if (this.text.charCodeAt(i) === 0x0a) line++;
    return line;
  }
}
