/**
 * The sessions filter (`\` / F4, as htop's): words that must all match a session. `user:NAME`,
 * `type:TYPE`, `host:NAME`, `from:IP`, `tty:NAME`, `state:active|detached|ended` match that field
 * (substring, case-insensitive); a bare word matches any of them. `-WORD` / `-key:value` excludes.
 */

export type FilterField = 'user' | 'type' | 'host' | 'from' | 'tty' | 'state';

const FIELDS: readonly FilterField[] = ['user', 'type', 'host', 'from', 'tty', 'state'];

export interface FilterTerm {
  readonly field: FilterField | null;
  readonly value: string;
  readonly negate: boolean;
}

export interface SessionFilter {
  readonly text: string;
  readonly terms: readonly FilterTerm[];
}

/** The facts of one session a filter looks at (already names, not ids). */
export type FilterFacts = Record<FilterField, string>;

/** Parses filter text; throws an Error with a one-line message for an unknown `key:`. */
export function parseSessionFilter(text: string): SessionFilter {
  const terms: FilterTerm[] = [];
  for (let word of text.trim().split(/\s+/)) {
    if (word === '') continue;
    let negate = false;
    if (word.startsWith('-') && word.length > 1) {
      negate = true;
      word = word.slice(1);
    }
    const colon = word.indexOf(':');
    if (colon > 0) {
      const key = word.slice(0, colon).toLowerCase();
      if (!(FIELDS as readonly string[]).includes(key)) throw new Error(`unknown filter field "${key}" (one of ${FIELDS.join(', ')})`);
      terms.push({ field: key as FilterField, value: word.slice(colon + 1).toLowerCase(), negate });
    } else {
      terms.push({ field: null, value: word.toLowerCase(), negate });
    }
  }
  return { text: text.trim(), terms };
}

export function sessionPasses(filter: SessionFilter, facts: FilterFacts): boolean {
  for (const t of filter.terms) {
    let hit: boolean;
    if (t.field !== null) hit = facts[t.field].toLowerCase().includes(t.value);
    else hit = FIELDS.some((f) => facts[f].toLowerCase().includes(t.value));
    if (hit === t.negate) return false;
  }
  return true;
}
