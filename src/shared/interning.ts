/**
 * Sharing repeated values while a large in-memory view is built: a million rows read from the
 * store carry a million copies of 'active' or of the same product id, each its own string. One copy
 * per distinct value (for the length of the build) keeps the view's memory to what is distinct.
 */
export class Interner {
  private readonly strings = new Map<string, string>();
  private readonly sets = new Map<string, ReadonlySet<string>>();
  private readonly json = new Map<string, unknown>();
  /** Objects already seen (a reader that parses equal JSON texts once hands out the same object again). */
  private readonly objects = new WeakMap<object, unknown>();

  string(value: string): string {
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  /** One frozen-in-practice Set per distinct collection of values (order does not matter). */
  set(values: readonly string[]): ReadonlySet<string> {
    const key = [...values].sort().join('\n');
    let set = this.sets.get(key);
    if (!set) {
      set = new Set(values);
      this.sets.set(key, set);
    }
    return set;
  }

  /** One copy of each distinct plain-data value (compared as JSON): e.g. the same role list on many applications. */
  value<T>(value: T): T {
    if (Array.isArray(value) && value.length === 0) return EMPTY as T;
    if (typeof value === 'object' && value !== null) {
      const seen = this.objects.get(value);
      if (seen !== undefined) return seen as T;
    }
    const key = JSON.stringify(value);
    const known = this.json.get(key);
    const shared = known !== undefined ? (known as T) : value;
    if (known === undefined) this.json.set(key, value);
    if (typeof value === 'object' && value !== null) this.objects.set(value, shared);
    return shared;
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

/** The lower-cased string: the same string object when it already was lower case (toLowerCase always copies). */
export function lowerCased(value: string): string {
  const lower = value.toLowerCase();
  return lower === value ? value : lower;
}
