/**
 * The watchdog's Prometheus metrics (served on /metrics). Names follow Prometheus conventions;
 * infra/compose/prometheus/rules/watchdog.yml alerts on them and on the scrape itself.
 */
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

export const RELAY_OUTCOMES = ['fired', 'failed', 'suppressed_maintenance', 'suppressed_grace', 'suppressed_interval'] as const;
export type RelayOutcome = (typeof RELAY_OUTCOMES)[number];
export const STEP_RESULTS = ['ok', 'failed', 'skipped'] as const;
export type StepResult = (typeof STEP_RESULTS)[number];

export class WatchdogMetrics {
  readonly registry = new Registry();
  readonly info = new Gauge({ name: 'genesis_watchdog_info', help: 'Static facts: the libgpiod tools generation and version in use.', labelNames: ['libgpiod_version', 'generation'], registers: [this.registry] });
  readonly heartbeatSuccess = new Gauge({ name: 'genesis_watchdog_heartbeat_success', help: 'Result of the last heartbeat round: 1 the server answered, 0 a miss.', registers: [this.registry] });
  readonly heartbeatTimestamp = new Gauge({ name: 'genesis_watchdog_heartbeat_last_timestamp_seconds', help: 'Unix time the last heartbeat round finished (stale when the loop is stuck).', registers: [this.registry] });
  readonly targetUp = new Gauge({ name: 'genesis_watchdog_heartbeat_target_up', help: 'Per heartbeat target (proxmox and each service), 1 when it answered in the last round.', labelNames: ['target'], registers: [this.registry] });
  readonly consecutiveMisses = new Gauge({ name: 'genesis_watchdog_heartbeat_consecutive_misses', help: 'Missed heartbeat rounds in a row.', registers: [this.registry] });
  readonly missesTotal = new Counter({ name: 'genesis_watchdog_heartbeat_misses_total', help: 'Missed heartbeat rounds since start.', registers: [this.registry] });
  readonly relayActions = new Counter({ name: 'genesis_watchdog_relay_actions_total', help: 'Power-cycle decisions by outcome: fired, failed, or suppressed (maintenance, start-up grace, minimum interval).', labelNames: ['outcome'], registers: [this.registry] });
  readonly maintenance = new Gauge({ name: 'genesis_watchdog_maintenance', help: 'Maintenance (switch closed or flag file present) as read at the last relay decision: 1 holds the relay back.', registers: [this.registry] });
  readonly buttonPresses = new Counter({ name: 'genesis_watchdog_button_presses_total', help: 'Kill-switch presses after debouncing.', registers: [this.registry] });
  readonly buttonEdges = new Counter({ name: 'genesis_watchdog_button_edges_total', help: 'Raw edges gpiomon reported on the kill-switch line, bounces included.', registers: [this.registry] });
  readonly killSteps = new Counter({ name: 'genesis_watchdog_kill_switch_steps_total', help: 'Kill-switch steps (banker halt, each VM) by result.', labelNames: ['step', 'result'], registers: [this.registry] });
  readonly firstCallSeconds = new Gauge({ name: 'genesis_watchdog_kill_switch_first_call_seconds', help: 'Time from detecting the last press to its first API call (Banker /halt) starting.', registers: [this.registry] });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const outcome of RELAY_OUTCOMES) this.relayActions.inc({ outcome }, 0);
    this.heartbeatSuccess.set(1);
    this.consecutiveMisses.set(0);
    this.maintenance.set(0);
  }
}
