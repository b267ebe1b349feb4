// Owns the wording of a refused control body: what field is wrong, how, and what a good body looks
// like, instead of a validator's "body/reason must be string".
import type { FastifySchemaValidationError } from 'fastify';

const EXAMPLE = 'send e.g. {"reason": "GPU temperature 95C", "actor": "watchdog"}';
const ALLOWED = 'reason (text, required for /halt), actor (text)';

function describe(error: FastifySchemaValidationError): string {
  const field = error.instancePath.replace(/^\//, '');
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'type':
      return field ? `"${field}" must be ${params.type === 'string' ? 'text (a JSON string)' : `a JSON ${String(params.type)}`}` : 'the body must be a JSON object';
    case 'required':
      return `"${String(params.missingProperty)}" is required`;
    case 'additionalProperties':
      return `"${String(params.additionalProperty).slice(0, 40)}" is not a field here (allowed: ${ALLOWED})`;
    case 'minLength':
      return `"${field}" must not be empty`;
    case 'maxLength':
      return `"${field}" must be at most ${String(params.limit)} characters`;
    default:
      return `${field ? `"${field}" ` : 'the body '}${error.message ?? 'is not valid'}`;
  }
}

export function bodyErrorMessage(errors: FastifySchemaValidationError[]): string {
  return `invalid body: ${[...new Set(errors.map(describe))].join('; ')}; ${EXAMPLE}`;
}
