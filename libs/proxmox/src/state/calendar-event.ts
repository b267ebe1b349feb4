/**
 * PVE's calendar events (a replication job's `schedule`), checked the way PVE checks them before
 * anything is sent. pve-common `src/PVE/CalendarEvent.pm` `parse_calendar_event` trims the text,
 * refuses it empty (`unable to parse calendar event - event is empty`), and since PVE 7.2 hands it
 * to `Proxmox::RS::CalendarEvent->new`, i.e. the proxmox-time crate's
 * `calendar_event.rs` `parse_calendar_event_incomplete` under `all_consuming`:
 *
 *   [UTC-stripped] keyword | [weekdays] [date] [time]   (at least one of the three)
 *   keyword   minutely hourly daily weekly monthly yearly annually quarterly semiannually semi-annually
 *   weekdays  range(,range)*        range = day[..day] (mon|monday …, any case; fri..mon wraps)
 *   date      [Y-]M-D               each a list: * | *\/R | N[..M][/R](,…)   (Y < 2200, M < 13, D < 32)
 *   time      [H:]M[:S]             each a list as above               (H < 24, M < 60, S < 60)
 *
 * with optional spaces after the weekdays and after the date, nothing after the time, and an
 * optional trailing ` UTC`. What is parsed is only checked, never computed here: PVE runs the jobs.
 */

export const CALENDAR_EVENT_EXAMPLES = "'*/15' (every 15 minutes), 'hourly', 'daily', 'mon..fri 22:30' or 'sat 8:00'";

const KEYWORDS = new Set(['minutely', 'hourly', 'daily', 'weekly', 'monthly', 'yearly', 'annually', 'quarterly', 'semiannually', 'semi-annually']);
const WEEKDAYS = new Set(['mon', 'monday', 'tue', 'tuesday', 'wed', 'wednesday', 'thu', 'thursday', 'fri', 'friday', 'sat', 'saturday', 'sun', 'sunday']);

class ParseError extends Error {}

/** A cursor over the text; each parser either advances it or throws (callers that may backtrack save `at`). */
class Input {
  at = 0;
  /**
   * The failures that got furthest, kept across backtracking (a value out of range before a missing
   * separator, the later alternative, the time, on a tie): they name what PVE stumbles on.
   */
  furthest: { value?: { at: number; message: string }; syntax?: { at: number; message: string } } = {};
  constructor(readonly text: string) {}
  fail(message: string, kind: 'value' | 'syntax' = 'syntax'): ParseError {
    const seen = this.furthest[kind];
    if (!seen || this.at >= seen.at) this.furthest[kind] = { at: this.at, message };
    return new ParseError(message);
  }
  get rest(): string {
    return this.text.slice(this.at);
  }
  eat(prefix: string): boolean {
    if (!this.rest.startsWith(prefix)) return false;
    this.at += prefix.length;
    return true;
  }
  spaces(): void {
    while (this.rest[0] === ' ' || this.rest[0] === '\t') this.at++;
  }
}

/** `parse_time_comp(max)`: digits, below `max`. */
function number(input: Input, max: number, what: string): number {
  const digits = /^[0-9]+/.exec(input.rest)?.[0];
  if (!digits) throw input.fail(`expected a number (${what}) at '${input.rest}'`);
  const value = Number(digits);
  if (value >= max) throw input.fail(`${what} ${digits} is out of range (below ${max})`, 'value');
  input.at += digits.length;
  return value;
}

/** `parse_date_time_comp`: N, N..M, N/R, N..M/R. */
function component(input: Input, max: number, what: string): void {
  const start = number(input, max, what);
  if (input.eat('..')) {
    const end = number(input, max, what);
    if (start > end) throw input.fail(`range ${start}..${end} of ${what} starts after it ends`, 'value');
  }
  if (input.eat('/')) number(input, max, `${what} repetition`);
}

/** `parse_date_time_comp_list`: `*`, `*\/R` (R > 0), or components separated by commas. */
function componentList(input: Input, max: number, what: string): void {
  if (input.eat('*')) {
    const save = input.at;
    if (input.eat('/')) {
      try {
        if (number(input, max, `${what} repetition`) > 0) return;
      } catch {
        /* the `/…` is left for the caller, as the crate does */
      }
      input.at = save;
    }
    return;
  }
  do component(input, max, what);
  while (input.eat(','));
}

/** `opt(p)`: runs `p`, or puts the cursor back and says no. */
function optional(input: Input, parse: () => void): boolean {
  const save = input.at;
  try {
    parse();
    return true;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    input.at = save;
    return false;
  }
}

/** `parse_date_spec`: Y-M-D, else M-D. */
function dateSpec(input: Input): void {
  const full = () => {
    componentList(input, 2200, 'year');
    if (!input.eat('-')) throw input.fail(`expected '-' and the month at '${input.rest}'`);
    componentList(input, 13, 'month');
    if (!input.eat('-')) throw input.fail(`expected '-' and the day at '${input.rest}'`);
    componentList(input, 32, 'day');
  };
  if (optional(input, full)) return;
  componentList(input, 13, 'month');
  if (!input.eat('-')) throw input.fail(`expected '-' and the day at '${input.rest}'`);
  componentList(input, 32, 'day');
}

/** `parse_time_spec`: [H:]M[:S]. */
function timeSpec(input: Input): void {
  optional(input, () => {
    componentList(input, 24, 'hour');
    if (!input.eat(':')) throw input.fail(`expected ':' and the minutes at '${input.rest}'`);
  });
  componentList(input, 60, 'minute');
  optional(input, () => {
    if (!input.eat(':')) throw input.fail(`expected ':' and the seconds at '${input.rest}'`);
    componentList(input, 60, 'second');
  });
}

function weekday(input: Input): void {
  const word = /^[A-Za-z]+/.exec(input.rest)?.[0] ?? '';
  if (!WEEKDAYS.has(word.toLowerCase())) throw input.fail(`'${word || input.rest}' is not a weekday (mon … sun, or a keyword such as hourly or daily)`);
  input.at += word.length;
}

/**
 * Why PVE would refuse `text` as a calendar event, or undefined when it takes it. The reason names
 * the part PVE stumbles on; the caller adds the field and the fix.
 */
export function calendarEventProblem(text: string): string | undefined {
  let event = text.trim();
  if (!event) return 'is empty (PVE: "unable to parse calendar event - event is empty")';
  if (event.endsWith('UTC')) event = event.slice(0, -3).replace(/ +$/, '');
  if (KEYWORDS.has(event)) return undefined;
  const input = new Input(event);
  try {
    let parts = 0;
    if (/^[A-Za-z]/.test(event)) {
      do {
        weekday(input);
        if (input.eat('..')) weekday(input);
      } while (input.eat(','));
      parts++;
      input.spaces();
    }
    if (optional(input, () => dateSpec(input))) {
      parts++;
      input.spaces();
    }
    if (optional(input, () => timeSpec(input))) parts++;
    if (!parts) throw input.fail(`expected a weekday, a date or a time at '${input.rest}'`);
    if (input.rest) throw input.fail(`'${input.rest}' is left over`);
    return undefined;
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return `is not a calendar event PVE parses (${(input.furthest.value ?? input.furthest.syntax)?.message ?? error.message})`;
  }
}
