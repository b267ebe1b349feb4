import { RequestDeadline, UpstreamTimeoutError } from './deadline';

describe('RequestDeadline', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('fires the total deadline whatever arrives', () => {
    const deadline = new RequestDeadline(1_000, 300);
    for (let t = 0; t < 900; t += 100) {
      jest.advanceTimersByTime(100);
      deadline.touch();
    }
    expect(deadline.signal.aborted).toBe(false);
    jest.advanceTimersByTime(100);
    expect(deadline.expired).toBeInstanceOf(UpstreamTimeoutError);
    expect(deadline.expired).toMatchObject({ kind: 'total', timeoutMs: 1_000 });
  });

  it('starts the idle clock only once touched, and restarts it on each touch', () => {
    const deadline = new RequestDeadline(10_000, 300);
    jest.advanceTimersByTime(2_000); // waiting for the headers is the total deadline's business
    expect(deadline.signal.aborted).toBe(false);
    deadline.touch();
    jest.advanceTimersByTime(299);
    deadline.touch();
    jest.advanceTimersByTime(299);
    expect(deadline.signal.aborted).toBe(false);
    jest.advanceTimersByTime(1);
    expect(deadline.expired?.message).toBe('the LLM server sent nothing for 300 ms in the middle of its answer (LLM_IDLE_TIMEOUT_MS)');
  });

  it('does not count a paused wait as silence, and leaves no timer once cleared', () => {
    const deadline = new RequestDeadline(10_000, 300);
    deadline.touch();
    deadline.pauseIdle();
    jest.advanceTimersByTime(5_000);
    expect(deadline.signal.aborted).toBe(false);
    deadline.clear();
    expect(jest.getTimerCount()).toBe(0);
  });
});
