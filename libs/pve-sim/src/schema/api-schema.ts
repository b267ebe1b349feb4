// The loaded API schema: routes indexed by path template, request matching the way PVE's
// RESTHandler resolves a path, and request validation the way PVE's HTTP server and
// RESTHandler::handle apply it (path parameters merged into the parameters, then checked).

import {
  checkObject,
  type Errors,
  type ObjectShape,
  parsePropertyString,
  propertyStringFormatOf,
  typedValue,
} from './check';
import { indexedParam, type IndexedParam, splitIndexedName } from './indexed';
import {
  type ApiNode,
  HTTP_METHODS,
  type HttpMethod,
  type MatchResult,
  type MethodInfo,
  type Permissions,
  type PropertySchema,
  type RawParamValue,
  type RequestParamValue,
  type Route,
  type TypedValue,
  type ValidationResult,
} from './types';

/** PVE answers a parameter error with this status line (its JSON `message` adds a newline). */
export const PARAMETER_VERIFICATION_FAILED = 'Parameter verification failed.';

/** Templates whose last variable takes the rest of the path, slashes included: PVE registers
 *  them with `fragmentDelimiter => ''` because volume IDs may contain '/'. */
const REST_OF_PATH_TEMPLATES = new Set(['/nodes/{node}/storage/{storage}/content/{volume}']);

interface TrieNode {
  template?: string;
  literal: Map<string, TrieNode>;
  variable?: { name: string; node: TrieNode };
  methods: Partial<Record<HttpMethod, Route>>;
}

interface CompiledRoute {
  shape: ObjectShape;
  properties: Record<string, PropertySchema>;
  lookup(key: string): PropertySchema | undefined;
}

const newNode = (): TrieNode => ({ literal: new Map(), methods: {} });

/** The request path relative to /api2/json, without query string. */
export function relativePath(path: string): string {
  const withoutQuery = path.split('?')[0];
  return withoutQuery.replace(/^\/api2\/(?:json|extjs|html|spiceconfig|png)(?=\/|$)/, '') || '/';
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export class ApiSchema {
  private readonly root = newNode();
  private readonly routeList: Route[] = [];
  private readonly compiled = new WeakMap<Route, CompiledRoute>();

  constructor(
    readonly tree: ApiNode[],
    /** Where the schema came from, for messages. */
    readonly source: string,
  ) {
    const visit = (node: ApiNode): void => {
      if (node.info) {
        for (const method of HTTP_METHODS) {
          const info = node.info[method];
          if (info) this.addRoute({ method, pathTemplate: node.path, info });
        }
      }
      node.children?.forEach(visit);
    };
    tree.forEach(visit);
  }

  private addRoute(route: Route): void {
    let node = this.root;
    for (const segment of route.pathTemplate.split('/').filter(Boolean)) {
      const variable = /^\{([\w-]+)(?::.*)?\}$/.exec(segment);
      if (variable) {
        node.variable ??= { name: variable[1], node: newNode() };
        node = node.variable.node;
      } else {
        let next = node.literal.get(segment);
        if (!next) node.literal.set(segment, (next = newNode()));
        node = next;
      }
    }
    node.template = route.pathTemplate;
    node.methods[route.method] = route;
    this.routeList.push(route);
  }

  /** Every (method, path template) the schema defines, in schema order. */
  routes(): Route[] {
    return [...this.routeList];
  }

  /** Finds the route for a request path (absolute `/api2/json/...` or relative). */
  match(method: string, path: string): MatchResult {
    const segments = relativePath(path).split('/').filter(Boolean);
    const pathParams: Record<string, string> = {};
    let node = this.root;
    for (let i = 0; i < segments.length; i++) {
      const segment = decodeSegment(segments[i]);
      const literal = node.literal.get(segment);
      if (literal) {
        node = literal;
        continue;
      }
      if (!node.variable) return { error: 'unknown-path' };
      const next = node.variable.node;
      if (next.template && REST_OF_PATH_TEMPLATES.has(next.template) && next.literal.size === 0 && !next.variable) {
        pathParams[node.variable.name] = segments.slice(i).map(decodeSegment).join('/');
        node = next;
        break;
      }
      pathParams[node.variable.name] = segment;
      node = next;
    }
    if (!node.template) return { error: 'unknown-path' };
    const route = node.methods[method.toUpperCase() as HttpMethod];
    if (!route) return { error: 'method-not-allowed' };
    return { route, pathParams };
  }

  /** The route for an exact (method, template) pair, as listed by routes(). */
  route(method: HttpMethod, pathTemplate: string): Route | undefined {
    return this.routeList.find((r) => r.method === method && r.pathTemplate === pathTemplate);
  }

  /**
   * The schema of one parameter of a route, indexed names resolved (`net3` -> `net[n]`), or
   * undefined if the route does not take it. With propertyStringFormatOf and
   * parsePropertyString this parses stored config values the way PVE does.
   */
  parameter(method: HttpMethod, pathTemplate: string, name: string): PropertySchema | undefined {
    const route = this.route(method, pathTemplate);
    return route ? this.compile(route).lookup(name) : undefined;
  }

  /** The permission rule PVE checks for a route (`check`, `user`, `description`). */
  permissionsOf(method: HttpMethod, pathTemplate: string): Permissions | undefined {
    return this.route(method, pathTemplate)?.info.permissions;
  }

  /** Whether API tokens may call the route (PVE's default for a method is yes). */
  allowsToken(method: HttpMethod, pathTemplate: string): boolean {
    const info = this.route(method, pathTemplate)?.info;
    return info !== undefined && (info.allowtoken === undefined || Boolean(Number(info.allowtoken)));
  }

  /**
   * Checks a request as PVE would before running the handler: path and method exist (else 501),
   * no parameter repeats a path parameter, and every parameter (path ones included) satisfies
   * the schema (else 400 with per-parameter errors worded like PVE).
   */
  validateRequest(method: string, path: string, params: Record<string, RequestParamValue> = {}): ValidationResult {
    const matched = this.match(method, path);
    if ('error' in matched) {
      return { ok: false, status: 501, message: `Method '${method.toUpperCase()} ${relativePath(path)}' not implemented` };
    }
    const { route, pathParams } = matched;

    const given = asFormValues(params);
    delete given['_dc']; // ExtJS cache buster; PVE's HTTP server drops it before anything else

    const duplicates: Errors = {};
    for (const name of Object.keys(given)) {
      if (pathParams[name] !== undefined) duplicates[name] = 'duplicate parameter (already defined in URI)';
    }
    if (Object.keys(duplicates).length > 0) {
      return { ok: false, status: 400, message: PARAMETER_VERIFICATION_FAILED, errors: duplicates };
    }

    const compiled = this.compile(route);
    const merged = normalizeLegacyFormats({ ...pathParams, ...given }, compiled);
    const errors: Errors = {};
    checkObject('', compiled.shape, merged, errors);
    if (Object.keys(errors).length > 0) {
      return { ok: false, status: 400, message: PARAMETER_VERIFICATION_FAILED, errors };
    }

    const typed: Record<string, TypedValue> = {};
    const propertyStrings: Record<string, Record<string, TypedValue>> = {};
    for (const [name, value] of Object.entries(merged)) {
      const schema = compiled.lookup(name);
      typed[name] = typedValue(schema, value);
      // Lists of property strings (e.g. /cluster/mapping/pci `map`) are keyed like PVE's error paths: map[0].
      const entries: [string, string, PropertySchema | undefined][] = Array.isArray(value)
        ? value.map((v, i) => [`${name}[${i}]`, v, schema?.items])
        : [[name, value, schema]];
      for (const [key, text, itemSchema] of entries) {
        const format = itemSchema ? propertyStringFormatOf(itemSchema) : null;
        if (!format) continue;
        const parsed = parsePropertyString(format, text, key);
        propertyStrings[key] = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typedValue(format[k], v)]));
      }
    }
    return { ok: true, route, pathParams, params: typed, propertyStrings };
  }

  private compile(route: Route): CompiledRoute {
    const cached = this.compiled.get(route);
    if (cached) return cached;
    const properties = route.info.parameters?.properties ?? {};
    const declared: Record<string, PropertySchema> = {};
    const indexed = new Map<string, IndexedParam>();
    for (const [name, schema] of Object.entries(properties)) {
      const entry = indexedParam(name, schema);
      if (entry) indexed.set(entry.prefix, entry);
      else declared[name] = schema;
    }
    const lookup = (key: string): PropertySchema | undefined => {
      if (Object.prototype.hasOwnProperty.call(declared, key)) return declared[key];
      const split = splitIndexedName(key);
      const entry = split && indexed.get(split.prefix);
      return entry && split.index < entry.count ? entry.schema : undefined;
    };
    const compiled: CompiledRoute = {
      properties,
      lookup,
      shape: { declared, lookup, additionalProperties: route.info.parameters?.additionalProperties },
    };
    this.compiled.set(route, compiled);
    return compiled;
  }
}

/** JSON bodies carry numbers and booleans; PVE checks them as it checks their form spelling. */
function asFormValues(params: Record<string, RequestParamValue>): Record<string, RawParamValue> {
  const scalar = (v: string | number | boolean): string => (typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  const out: Record<string, RawParamValue> = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    out[name] = Array.isArray(value) ? value.map(scalar) : scalar(value);
  }
  return out;
}

/**
 * RESTHandler's normalize_legacy_param_formats: a repeated key (array) for a `-list` string
 * becomes a comma-separated string; a single value for an array parameter becomes a one-item list.
 */
function normalizeLegacyFormats(params: Record<string, RawParamValue>, compiled: CompiledRoute): Record<string, RawParamValue> {
  for (const [name, value] of Object.entries(params)) {
    const schema = compiled.lookup(name);
    if (!schema || !value) continue;
    const format = typeof schema.format === 'string' ? schema.format : '';
    if (Array.isArray(value) && schema.type === 'string' && format.endsWith('-list')) params[name] = value.join(',');
    else if (!Array.isArray(value) && schema.type === 'array') params[name] = [value];
  }
  return params;
}

export type { MethodInfo };
