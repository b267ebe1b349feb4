// Shapes of the official Proxmox VE API schema (the tree the API viewer renders) and of the
// answers this module gives about it. Field names follow the JSON exactly.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export const HTTP_METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE'];

/** Perl booleans arrive as 0/1 in the dump. */
export type PerlBool = 0 | 1 | boolean;

/** One property (a parameter, or one key of a property string). */
export interface PropertySchema {
  type?: string;
  /** A registered format name (`pve-vmid`, `pve-qm-hostpci`, `pve-configid-list`) or, for
   *  property strings, the per-key definitions themselves. */
  format?: string | PropertyStringFormat;
  optional?: PerlBool;
  enum?: string[];
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  typetext?: string;
  description?: string;
  default?: unknown;
  /** Inside property strings: this key is the one that may be given without `key=`. */
  default_key?: PerlBool;
  /** Inside property strings: this key is another name for `alias`. */
  alias?: string;
  /** With `alias`: the key name itself is stored as the value of `keyAlias` (`virtio=MAC`). */
  keyAlias?: string;
  requires?: string | PropertySchema;
  items?: PropertySchema;
  format_description?: string;
  [extra: string]: unknown;
}

export type PropertyStringFormat = Record<string, PropertySchema>;

export interface ParameterSchema {
  type?: string;
  properties?: Record<string, PropertySchema>;
  additionalProperties?: PerlBool | PropertySchema;
}

export interface Permissions {
  check?: unknown[];
  user?: string;
  description?: string;
  [extra: string]: unknown;
}

export interface MethodInfo {
  method?: HttpMethod;
  name?: string;
  description?: string;
  parameters?: ParameterSchema;
  permissions?: Permissions;
  returns?: unknown;
  allowtoken?: PerlBool;
  protected?: PerlBool;
  proxyto?: string;
  [extra: string]: unknown;
}

export interface ApiNode {
  path: string;
  text: string;
  leaf: PerlBool;
  children?: ApiNode[];
  info?: Partial<Record<HttpMethod, MethodInfo>>;
}

export interface Route {
  method: HttpMethod;
  /** e.g. `/nodes/{node}/qemu/{vmid}/config` */
  pathTemplate: string;
  info: MethodInfo;
}

export type MatchResult =
  | { route: Route; pathParams: Record<string, string> }
  | { error: 'unknown-path' | 'method-not-allowed' };

/** A request parameter as it arrives from a form body or query string (repeated keys: array). */
export type RawParamValue = string | string[];

/** What validateRequest takes: form values, or JSON body values (numbers, booleans; null/undefined = absent). */
export type RequestParamValue = RawParamValue | number | boolean | null | undefined | (string | number | boolean)[];

/** A validated value: integers and numbers as numbers, booleans as booleans, the rest as text. */
export type TypedValue = string | number | boolean | TypedValue[];

export interface ValidationOk {
  ok: true;
  route: Route;
  pathParams: Record<string, string>;
  /** Every parameter (path parameters included, as PVE merges them) with its typed value. */
  params: Record<string, TypedValue>;
  /** Property-string parameters parsed into their keys (aliases resolved), e.g.
   *  `net0: { model: 'virtio', bridge: 'vmbr1', firewall: true }`; items of a list parameter
   *  are keyed `map[0]`, `map[1]`, as PVE names them in errors. */
  propertyStrings: Record<string, Record<string, TypedValue>>;
}

export interface ValidationBadRequest {
  ok: false;
  status: 400;
  /** PVE's status line for these: `Parameter verification failed.` */
  message: string;
  /** Per-parameter messages, worded as PVE words them. */
  errors: Record<string, string>;
}

export interface ValidationNotImplemented {
  ok: false;
  status: 501;
  /** `Method 'GET /nodes/pve/foo' not implemented` */
  message: string;
}

export type ValidationResult = ValidationOk | ValidationBadRequest | ValidationNotImplemented;
