/**
 * A short, safe rendering of any value for an error message: JSON-like for plain data, cut to about `max`
 * characters (a long string says how long it was), and never throwing, whatever the value (BigInt, symbols,
 * circular or very deeply nested objects, getters that throw).
 */
export function quote(value: unknown, max = 60): string {
  if (typeof value === 'string') {
    return value.length <= max
      ? JSON.stringify(value)
      : `${JSON.stringify(value.slice(0, max))}… (${value.length} characters)`;
  }
  let text: string;
  try {
    text = render(value, 2);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** Renders `value`, going at most `depth` levels into objects and arrays and 8 items into each. */
function render(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'symbol':
      return value.toString();
    case 'function':
      return 'a function';
    case 'undefined':
    case 'boolean':
      return String(value);
    default:
      break;
  }
  if (value === null) return 'null';
  if (ArrayBuffer.isView(value))
    return `${value.constructor.name}(${(value as unknown as { length?: number }).length ?? value.byteLength})`;
  const array = Array.isArray(value);
  const keys = array ? [] : Object.keys(value as object);
  const size = array ? (value as unknown[]).length : keys.length;
  if (size === 0) return array ? '[]' : '{}';
  if (depth === 0) return array ? '[...]' : '{...}';
  const items = array
    ? (value as unknown[]).slice(0, 8).map((v) => render(v, depth - 1))
    : keys.slice(0, 8).map((k) => `${render(k, 0)}: ${render((value as Record<string, unknown>)[k], depth - 1)}`);
  const more = size > 8 ? `, ... ${size - 8} more` : '';
  return array ? `[${items.join(', ')}${more}]` : `{${items.join(', ')}${more}}`;
}
