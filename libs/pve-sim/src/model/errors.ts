/**
 * Errors the simulated API raises, shaped the way pve-http-server reports them: an HTTP status,
 * a one-line message (sent as the status line and as `message`), and for 400 the per-parameter
 * `errors` map.
 */
export class PveError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
    this.name = 'PveError';
  }
}

/** 400 with per-parameter messages, as PVE's `raise_param_exc`. */
export function paramError(errors: Record<string, string>): PveError {
  return new PveError(400, 'Parameter verification failed.', errors);
}

/** 403 as PVE's `raise_perm_exc` (`Permission check failed (/vms/100, VM.Config.HWType)`). */
export function permissionError(aclPath: string, privilege: string): PveError {
  return new PveError(403, `Permission check failed (${aclPath}, ${privilege})`);
}

/** 500: what a Perl `die "...\n"` inside an API handler becomes. */
export function dieError(message: string): PveError {
  return new PveError(500, message);
}
