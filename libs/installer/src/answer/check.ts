/**
 * `genesis answer --check FILE`: reads an answer.toml the way the Proxmox VE automated installer
 * does (TOML, then serde's rules, then `parse_answer`'s checks) and reports the installer's reason
 * for refusing it.
 */
import { parse } from './toml';
import { AnswerParseError, deserializeAnswer } from './deserialize';
import type { InstallEnvironment } from './environment';
import type { AnswerFile } from './types';
import { AnswerVerifyError, verifyAnswer } from './verify';

export type CheckResult =
  | { ok: true; answer: AnswerFile; disks?: string[]; skipped: string[] }
  | { ok: false; stage: 'parse' | 'verify'; message: string };

export function checkAnswer(text: string, env?: InstallEnvironment): CheckResult {
  let answer: AnswerFile;
  try {
    answer = deserializeAnswer(parse(text) as Record<string, unknown>);
  } catch (e) {
    const reason = e instanceof AnswerParseError ? e.message : `TOML syntax: ${(e as Error).message.split('\n')[0]}`;
    // the installer's own prefix (proxmox-auto-installer: "error parsing answer.toml: ...")
    return { ok: false, stage: 'parse', message: `error parsing answer.toml: ${reason}` };
  }
  try {
    const verified = verifyAnswer(answer, env);
    return { ok: true, answer, ...verified };
  } catch (e) {
    if (e instanceof AnswerVerifyError) return { ok: false, stage: 'verify', message: e.message };
    throw e;
  }
}
