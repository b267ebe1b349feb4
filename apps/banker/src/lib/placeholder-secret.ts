// Owns recognising a secret that is not one: the value shipped in infra/compose/.env.example, and
// the obvious stand-ins people type (changeme, placeholder, your-token, one character repeated).
// A random secret (`openssl rand -hex 32`) never matches.

/** BANKER_CONTROL_TOKEN in infra/compose/.env.example (a spec keeps the two equal). */
export const ENV_EXAMPLE_CONTROL_TOKEN = 'change-me-to-a-long-random-secret';

/** Compared with letters and digits only, lower case: "Change_Me" is "changeme". */
const STAND_INS = ['changeme', 'replaceme', 'placeholder', 'example', 'yourtoken', 'yoursecret', 'insertsecret', 'inserttoken', 'dummy', 'notasecret'];
const MIN_DISTINCT_CHARACTERS = 6;

/** Why `value` is a placeholder rather than a secret, or undefined when it may be a real one. */
export function placeholderReason(value: string): string | undefined {
  if (value === ENV_EXAMPLE_CONTROL_TOKEN) return 'is the placeholder from infra/compose/.env.example, not a secret';
  const squashed = value.toLowerCase().replace(/[^a-z0-9]/g, '');
  const word = STAND_INS.find((w) => squashed.includes(w));
  if (word) return `looks like a placeholder (it contains "${word}"), not a secret`;
  if (new Set(value).size < MIN_DISTINCT_CHARACTERS) return `has fewer than ${MIN_DISTINCT_CHARACTERS} different characters, so it is not a random secret`;
  return undefined;
}
