/**
 * What a route handler sees: the authenticated token, the validated parameters, and the host.
 * Handlers return the `data` of the response or throw a PveError.
 */
import type { SimHost } from './host';
import type { TokenRole } from './state';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type RawParams = Record<string, string | string[]>;

export interface TokenIdentity {
  /** `root@pam!genesis` */
  tokenId: string;
  /** `root@pam` */
  user: string;
  role: TokenRole;
}

export interface RequestContext {
  method: HttpMethod;
  /** Path relative to /api2/json. */
  path: string;
  pathParams: Record<string, string>;
  params: RawParams;
  auth: TokenIdentity;
  host: SimHost;
  /** Set by a matching `taskFail` fault: the task this request starts must fail with it. */
  taskFailure?: string;
}

/** A response with top-level attributes besides `data` (GET /network's `changes`). */
export class ReplyWithAttributes {
  constructor(
    readonly data: unknown,
    readonly attributes: Record<string, unknown>,
  ) {}
}

export type Handler = (ctx: RequestContext) => unknown;

export interface Route {
  method: HttpMethod;
  /** Schema-style template, `/nodes/{node}/qemu/{vmid}/config`. */
  path: string;
  handler: Handler;
}

export function str(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.params[name];
  return Array.isArray(value) ? value[value.length - 1] : value;
}

export function bool(ctx: RequestContext, name: string): boolean | undefined {
  const value = str(ctx, name);
  if (value === undefined) return undefined;
  return value === '1' || value === 'true' || value === 'on' || value === 'yes';
}

export function int(ctx: RequestContext, name: string): number | undefined {
  const value = str(ctx, name);
  return value === undefined ? undefined : Number.parseInt(value, 10);
}

export function list(ctx: RequestContext, name: string): string[] {
  const value = ctx.params[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** `delete=a,b c;d`: PVE splits the list on commas, semicolons and whitespace. */
export function deleteList(ctx: RequestContext): string[] {
  return (str(ctx, 'delete') ?? '').split(/[,;\s]+/).filter(Boolean);
}
