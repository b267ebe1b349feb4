// Parameter checking with the semantics of pve-common's PVE::JSONSchema (check_object,
// check_prop, check_type, check_format, parse_property_string): the same acceptance rules, the
// same order of checks and the same messages, so a client sees from the simulator what it would
// see from a PVE 8 host. Values are the strings a form body or query string carries.

import { FormatError, formatCheck, splitFormatName, splitList } from './formats';
import { perlAnchoredRegex } from './perl-regex';
import { formatFromTypetext } from './typetext';
import type { PropertySchema, PropertyStringFormat, RawParamValue, TypedValue } from './types';

export type Errors = Record<string, string>;
type Value = RawParamValue | undefined;

export const NOT_IN_SCHEMA = 'property is not defined in schema and the schema does not allow additional properties';

/** A property-string or format failure: PVE's `die` text plus, for `format error`, the per-key errors. */
export class PropertyStringError extends Error {
  constructor(
    message: string,
    readonly errors?: Errors,
  ) {
    super(message);
    this.name = 'PropertyStringError';
  }

  /** PVE::Exception's stringification: message, then one `path: error` line per error. */
  override toString(): string {
    let text = this.message.endsWith('\n') ? this.message : `${this.message}\n`;
    for (const key of Object.keys(this.errors ?? {}).sort()) text += `${key}: ${this.errors?.[key]}\n`;
    return text;
  }
}

/** add_error: several messages for one path are joined with a literal backslash-n, as Perl's '\n'. */
export function addError(errors: Errors, path: string, message: string): void {
  const key = path || '_root';
  errors[key] = errors[key] === undefined ? message : `${errors[key]}\\n${message}`;
}

const truthy = (flag: unknown): boolean => flag !== undefined && flag !== null && flag !== 0 && flag !== '0' && flag !== '' && flag !== false;
const perlTrue = (v: string | undefined): boolean => v !== undefined && v !== '' && v !== '0';

export const isNumber = (v: string): boolean => /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(v);
export const isInteger = (v: string): boolean => /^[+-]?\d+$/.test(v);

/** parse_boolean: the spellings property strings accept for booleans. */
export function parseBoolean(v: string): '1' | '0' | undefined {
  if (/^(1|on|yes|true)$/i.test(v)) return '1';
  if (/^(0|off|no|false)$/i.test(v)) return '0';
  return undefined;
}

/** check_type for the scalar and array values an HTTP request can carry. */
function checkType(path: string, type: string | undefined, value: RawParamValue, errors: Errors): boolean {
  if (!type || type === 'any') return true;
  if (Array.isArray(value)) {
    if (type === 'array') return true;
    addError(errors, path, type === 'object' ? `type check ('${type}') failed` : `type check ('${type}') failed - got ARRAY`);
    return false;
  }
  if (type === 'array' || type === 'object') {
    addError(errors, path, `type check ('${type}') failed`);
    return false;
  }
  const ok =
    type === 'boolean' ? value === '1' || value === '0'
    : type === 'integer' ? isInteger(value)
    : type === 'number' ? isNumber(value)
    : true;
  if (!ok) addError(errors, path, `type check ('${type}') failed - got '${value}'`);
  return ok;
}

/** check_format; throws what PVE's format code dies with. */
function checkFormat(schema: PropertySchema, value: string, path: string): void {
  const format = schema.format;
  if (format === undefined) return;
  if (typeof format === 'object') {
    parsePropertyString(format, value, path);
    return;
  }
  if (format === 'regex') return;
  const { name, kind } = splitFormatName(format);
  const check = formatCheck(name);
  if (check) {
    if (kind === 'list') for (const item of splitList(value)) check(item);
    else if (kind === 'opt') {
      if (perlTrue(value)) check(value);
    } else check(value);
    return;
  }
  const rebuilt = kind === 'none' ? formatFromTypetext(format, schema.typetext) : null;
  if (rebuilt) parsePropertyString(rebuilt, value, path);
  // Any other format is one this simulator does not know: accepted unchecked.
}

/** check_prop for one value against one property schema. */
export function checkProp(value: Value, schema: PropertySchema, path: string, errors: Errors): void {
  // Aliases are remapped to their target before this point.
  if (schema.alias) return;

  if (value === undefined) {
    if (schema.type === 'null') return;
    if (!truthy(schema.optional) && !truthy(schema['group'])) {
      addError(errors, path, 'property is missing and it is not optional');
    }
    return;
  }

  if (!checkType(path, schema.type, value, errors)) return;

  if (Array.isArray(value)) {
    if (schema.items) value.forEach((item, i) => checkProp(item, schema.items as PropertySchema, `${path}[${i}]`, errors));
    return;
  }

  if (schema.format !== undefined) {
    try {
      checkFormat(schema, value, path);
    } catch (err) {
      if (!(err instanceof PropertyStringError || err instanceof FormatError)) throw err;
      addError(errors, path, `invalid format - ${err instanceof PropertyStringError ? err.toString() : err.message}`);
      return;
    }
  }

  if (schema.pattern !== undefined && !perlAnchoredRegex(schema.pattern).test(value)) {
    addError(errors, path, 'value does not match the regex pattern');
    return;
  }

  const length = [...value].length;
  if (schema.maxLength !== undefined && length > Number(schema.maxLength)) {
    addError(errors, path, `value may only be ${schema.maxLength} characters long`);
    return;
  }
  if (schema.minLength !== undefined && length < Number(schema.minLength)) {
    addError(errors, path, `value must be at least ${schema.minLength} characters long`);
    return;
  }

  if (isNumber(value)) {
    if (schema.maximum !== undefined && Number(value) > Number(schema.maximum)) {
      addError(errors, path, `value must have a maximum value of ${schema.maximum}`);
      return;
    }
    if (schema.minimum !== undefined && Number(value) < Number(schema.minimum)) {
      addError(errors, path, `value must have a minimum value of ${schema.minimum}`);
      return;
    }
  }

  if (schema.enum && !schema.enum.some((e) => String(e) === value)) {
    addError(errors, path, `value '${value}' does not have a value in the enumeration '${schema.enum.join(', ')}'`);
  }
}

export interface ObjectShape {
  /** Schema of a key, or undefined when the key is not defined (indexed keys resolve here). */
  lookup(key: string): PropertySchema | undefined;
  /** The declared keys, checked for presence (required ones) in check_object's first pass. */
  declared: Record<string, PropertySchema>;
  /** PVE's additionalProperties: false/0 rejects unknown keys, a schema checks them. */
  additionalProperties?: unknown;
}

/** check_object: every declared key, then every given key (unknown, `requires`). */
export function checkObject(path: string, shape: ObjectShape, value: Record<string, Value>, errors: Errors): void {
  const join = (k: string) => (path ? `${path}.${k}` : k);

  // Remap aliased keys so validation sees canonical names.
  for (const k of Object.keys(value)) {
    const alias = shape.lookup(k)?.alias;
    if (!alias) continue;
    if (value[alias] !== undefined) addError(errors, join(k), `cannot set both '${k}' and its alias target '${alias}'`);
    else {
      value[alias] = value[k];
      delete value[k];
    }
  }

  for (const [k, schema] of Object.entries(shape.declared)) checkProp(value[k], schema, join(k), errors);

  for (const k of Object.keys(value)) {
    const schema = shape.lookup(k);
    if (schema) {
      // Declared keys were checked above; resolved ones (net0 via net[n]) are checked here.
      if (!Object.prototype.hasOwnProperty.call(shape.declared, k)) checkProp(value[k], schema, join(k), errors);
      if (typeof schema.requires === 'string' && value[schema.requires] === undefined) {
        addError(errors, join(schema.requires), `missing property required by '${join(k)}'`);
      }
      continue;
    }
    const additional = shape.additionalProperties;
    if (additional !== undefined && !truthy(additional)) {
      addError(errors, join(k), NOT_IN_SCHEMA);
    } else if (additional && typeof additional === 'object') {
      checkProp(value[k], additional as PropertySchema, join(k), errors);
    }
  }
}

function plainShape(format: PropertyStringFormat): ObjectShape {
  return {
    declared: format,
    lookup: (k) => (Object.prototype.hasOwnProperty.call(format, k) ? format[k] : undefined),
    additionalProperties: 0,
  };
}

/**
 * parse_property_string: splits `a=1,b=2` (the default key may stand alone), resolves aliases,
 * then checks the keys. Throws PropertyStringError with PVE's message on failure; returns the
 * parsed keys (raw strings, booleans normalised to 1/0 as PVE does).
 */
export function parsePropertyString(format: PropertyStringFormat, data: string, path = ''): Record<string, string> {
  const res: Record<string, string> = {};
  let defaultKey: string | undefined;
  const die = (msg: string): never => {
    throw new PropertyStringError(`${msg}\n`);
  };

  // Perl's split(/,/) drops trailing empty fields; whitespace-only parts are skipped below anyway.
  for (const part of data.split(',')) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/.exec(part);
    if (kv) {
      let [k, v] = [kv[1], kv[2]];
      if (res[k] !== undefined) die(`duplicate key in comma-separated list property: ${k}`);
      let schema = Object.prototype.hasOwnProperty.call(format, k) ? format[k] : undefined;
      if (schema?.alias) {
        if (schema.keyAlias) {
          if (res[schema.keyAlias] !== undefined) die(`key alias '${schema.keyAlias}' is already defined`);
          res[schema.keyAlias] = k;
        }
        k = schema.alias;
        schema = format[k];
        if (res[k] !== undefined) die(`key '${k}' is already defined (via alias)`);
      }
      if (!schema) die(`invalid key in comma-separated list property: ${k}`);
      if (schema?.type === 'boolean') v = parseBoolean(v) ?? v;
      res[k] = v;
    } else if (!part.includes('=')) {
      if (defaultKey) die(`duplicate key in comma-separated list property: ${defaultKey}`);
      for (const [key, schema] of Object.entries(format)) {
        if (!truthy(schema.default_key)) continue;
        defaultKey = key;
        if (perlTrue(res[key])) die(`duplicate key in comma-separated list property: ${key}`);
        res[key] = schema.type === 'boolean' ? (parseBoolean(part) ?? part) : part;
        break;
      }
      if (!defaultKey) die('value without key, but schema does not define a default key');
    } else {
      die('missing key in comma-separated list property');
    }
  }

  const errors: Errors = {};
  checkObject(path, plainShape(format), res, errors);
  if (Object.keys(errors).length > 0) throw new PropertyStringError('format error\n', errors);
  return res;
}

/** The property-string definition a parameter uses, if any (object format or rebuilt from typetext). */
export function propertyStringFormatOf(schema: PropertySchema): PropertyStringFormat | null {
  if (typeof schema.format === 'object') return schema.format;
  if (typeof schema.format !== 'string') return null;
  const { name, kind } = splitFormatName(schema.format);
  if (kind !== 'none' || formatCheck(name)) return null;
  return formatFromTypetext(schema.format, schema.typetext);
}

/** A checked value in its JSON type: integers and numbers as numbers, booleans as booleans. */
export function typedValue(schema: PropertySchema | undefined, value: RawParamValue): TypedValue {
  if (Array.isArray(value)) return value.map((v) => typedValue(schema?.items, v));
  switch (schema?.type) {
    case 'integer':
    case 'number':
      return Number(value);
    case 'boolean':
      return value === '1';
    default:
      return value;
  }
}
