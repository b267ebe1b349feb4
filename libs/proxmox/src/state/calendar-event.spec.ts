import { calendarEventProblem } from './calendar-event';

describe("PVE's calendar events (pve-common PVE/CalendarEvent.pm parse_calendar_event → proxmox-time calendar_event.rs)", () => {
  // From PVE's docs (pvesr, "Schedule Format") and pve-common test/calendar_event_test.pl.
  it.each([
    '*/15',
    'mon..fri 22:30',
    'sat 8:00',
    'daily',
    'hourly',
    'weekly',
    'semi-annually',
    '*',
    '*/10',
    '*/12:0',
    '1/12:0/15',
    '1,4,6',
    '0..3',
    '23..23:0..3',
    'Mon',
    'sat..sun',
    'sun..sat',
    'fri..mon',
    'wed,mon..tue,fri',
    'mon */15',
    '22/1:0',
    '*/2:*',
    '20..22:*/30',
    '0,1,3..5',
    '2,4:0,1,3..5',
    'mon,wed,fri 9:00',
    '12,14,16,18,20,22:5',
    'tue 2:00',
    '*-*-01 00:00',
    '2025-01..06-15 03:00',
    'sat 02:00 UTC',
    ' daily ',
  ])('takes %j', (event) => {
    expect(calendarEventProblem(event)).toBeUndefined();
  });

  it.each([
    ['', /is empty/],
    ['   ', /is empty/],
    ['61', /minute 61 is out of range \(below 60\)/],
    ['*/61', /minute repetition 61 is out of range/],
    ['0..80', /minute 80 is out of range/],
    ['5..3', /range 5\.\.3 of minute starts after it ends/],
    [' mon 0 0 0', /' 0 0' is left over|left over/],
    ['mon 0 0', /left over/],
    ['every 15 minutes', /'every' is not a weekday/],
    ['Daily', /'Daily' is not a weekday/],
    ['mo 8:00', /'mo' is not a weekday/],
    ['24:00:00', /hour 24 is out of range|left over/],
    ['8:00 tomorrow', /left over/],
    ['*/0', /left over/],
    ['every {15}', /'every' is not a weekday/],
  ])('refuses %j, naming why', (event, why) => {
    expect(calendarEventProblem(event)).toMatch(/^is (empty|not a calendar event PVE parses)/);
    expect(calendarEventProblem(event)).toMatch(why);
  });
});
