/**
 * Compiles the JSON Schema that zod generates from a schema (`z.toJSONSchema`) into one plain
 * boolean check function, for the reader's hot path.
 *
 * Why: zod validates a fully populated ECS line in ~10 µs on a small VM (it allocates a result
 * object per field); the compiled check does the same type/range/pattern/enum/required tests in a
 * fraction of that, with no allocation. The zod schema stays the single source of truth: this only
 * answers "valid or not"; when it says "not", the caller asks zod for the reason. A test fuzzes both
 * against each other.
 *
 * Supports exactly the JSON Schema subset zod emits for our schema (object/properties/required,
 * array/items, string/pattern/enum, integer|number/minimum/maximum, boolean, anyOf). Anything else
 * throws at compile time, so a schema change cannot silently weaken validation.
 */

export interface JsonSchemaNode {
  type?: string;
  properties?: Record<string, JsonSchemaNode>;
  required?: string[];
  items?: JsonSchemaNode;
  enum?: unknown[];
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  anyOf?: JsonSchemaNode[];
  additionalProperties?: unknown;
  $schema?: string;
  [other: string]: unknown;
}

const IGNORED_KEYWORDS = new Set(['$schema', 'format', 'additionalProperties', 'description', 'title']);
const HANDLED_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'items',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'anyOf',
]);
/** Whether a JSON Schema keyword is one this check tests (whatever the node's type). */
export function isHandledKeyword(key: string): boolean {
  return HANDLED_KEYWORDS.has(key);
}

/** Whether a JSON Schema keyword is one this check tests or one that changes nothing it accepts. */
export function isUnderstoodKeyword(key: string): boolean {
  return HANDLED_KEYWORDS.has(key) || IGNORED_KEYWORDS.has(key);
}

/** Formats zod always pairs with a `pattern` (the pattern is what we test). */
const PATTERN_FORMATS = new Set(['date-time', 'ipv4', 'ipv6']);

export type CompiledCheck = (value: unknown) => boolean;

export function compileJsonSchemaCheck(schema: JsonSchemaNode): CompiledCheck {
  const consts: unknown[] = [];
  let counter = 0;
  const fresh = (): string => `v${counter++}`;
  const constRef = (value: unknown): string => {
    consts.push(value);
    return `c[${consts.length - 1}]`;
  };

  /** Returns JS statements that `return false` when `v` (a variable name) does not match `s`. */
  const emit = (s: JsonSchemaNode, v: string, where: string): string => {
    for (const key of Object.keys(s)) {
      if (!isUnderstoodKeyword(key)) {
        throw new Error(`json-schema-check: unsupported keyword "${key}" at ${where}`);
      }
    }
    if (s.format !== undefined && !PATTERN_FORMATS.has(s.format)) {
      throw new Error(`json-schema-check: unsupported format "${s.format}" at ${where}`);
    }
    if (s.format !== undefined && s.pattern === undefined) {
      throw new Error(`json-schema-check: format "${s.format}" without a pattern at ${where}`);
    }
    let code = '';
    if (s.anyOf !== undefined) {
      const alts = s.anyOf.map((alt, i) => {
        const fn = compileNested(alt, `${where}|${i}`);
        return `${fn}(${v})`;
      });
      code += `if (!(${alts.join(' || ')})) return false;\n`;
    }
    switch (s.type) {
      case undefined:
        break;
      case 'object': {
        code += `if (typeof ${v} !== 'object' || ${v} === null || Array.isArray(${v})) return false;\n`;
        for (const r of s.required ?? []) code += `if (${v}[${JSON.stringify(r)}] === undefined) return false;\n`;
        for (const [key, sub] of Object.entries(s.properties ?? {})) {
          const x = fresh();
          code += `{ const ${x} = ${v}[${JSON.stringify(key)}];\nif (${x} !== undefined) {\n${emit(sub, x, `${where}.${key}`)}}\n}\n`;
        }
        break;
      }
      case 'array': {
        code += `if (!Array.isArray(${v})) return false;\n`;
        if (s.items !== undefined) {
          const i = fresh();
          const x = fresh();
          code += `for (let ${i} = 0; ${i} < ${v}.length; ${i}++) { const ${x} = ${v}[${i}];\n${emit(s.items, x, `${where}[]`)}}\n`;
        }
        break;
      }
      case 'string':
        code += `if (typeof ${v} !== 'string') return false;\n`;
        if (s.pattern !== undefined) code += `if (!${constRef(new RegExp(s.pattern))}.test(${v})) return false;\n`;
        break;
      case 'integer':
        code += `if (typeof ${v} !== 'number' || !Number.isInteger(${v})) return false;\n`;
        break;
      case 'number':
        code += `if (typeof ${v} !== 'number' || !Number.isFinite(${v})) return false;\n`;
        break;
      case 'boolean':
        code += `if (typeof ${v} !== 'boolean') return false;\n`;
        break;
      default:
        throw new Error(`json-schema-check: unsupported type "${s.type}" at ${where}`);
    }
    if (s.minimum !== undefined) code += `if (${v} < ${s.minimum}) return false;\n`;
    if (s.maximum !== undefined) code += `if (${v} > ${s.maximum}) return false;\n`;
    if (s.exclusiveMinimum !== undefined) code += `if (${v} <= ${s.exclusiveMinimum}) return false;\n`;
    if (s.exclusiveMaximum !== undefined) code += `if (${v} >= ${s.exclusiveMaximum}) return false;\n`;
    if (s.enum !== undefined) code += `if (!${constRef(new Set(s.enum))}.has(${v})) return false;\n`;
    return code;
  };

  const helpers: string[] = [];
  const compileNested = (s: JsonSchemaNode, where: string): string => {
    const name = `f${helpers.length}`;
    helpers.push('');
    const index = helpers.length - 1;
    helpers[index] = `function ${name}(x) {\n${emit(s, 'x', where)}return true;\n}\n`;
    return name;
  };

  const body = emit(schema, 'root', '$');
  const source = `${helpers.join('')}return function check(root) {\n${body}return true;\n};`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const factory = new Function('c', source) as (c: unknown[]) => CompiledCheck;
  return factory(consts);
}
